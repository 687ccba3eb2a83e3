package dev.keyward.agent.usage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Was a log file's line written by sshd? A syslog file cannot say: any local user can write a line that looks like
 * sshd's ({@code logger -t sshd "Accepted publickey for root ..."}), and the {@code sshd[PID]} in its prefix is
 * whatever the writer put there. What the agent can check is the process that has that PID now, in {@code /proc}:
 * <ul>
 * <li>alive, started before the line's time, and not an sshd binary ({@code /proc/PID/exe}, or {@code comm} when
 * the link cannot be read): the line is not sshd's, and is {@link Verdict#NOT_SSHD flagged};</li>
 * <li>an sshd binary: {@link Verdict#SSHD};</li>
 * <li>gone, started after the line (the PID was reused), a line older than the boot, or a line without a PID:
 * {@link Verdict#UNKNOWN}, and the line counts as before.</li>
 * </ul>
 * So a forged line is caught only while its writer lives (a {@code logger} that exited at once is not), and a
 * forger who names a live sshd's PID is not caught: the file source cannot authenticate its writer. The journal
 * can ({@link JournalSource} checks the fields journald itself records). Each PID is looked up once per read.
 */
public final class WriterCheck {
    /** The binaries of OpenSSH's server: the listener, and the per-connection ones of 9.8 and later. */
    static final Set<String> SSHD_NAMES = Set.of("sshd", "sshd-session", "sshd-auth");
    /** USER_HZ: the unit of /proc/PID/stat's start time, 100 on every Linux ABI the agent runs on. */
    private static final long TICKS_PER_SECOND = 100;

    public enum Verdict { SSHD, NOT_SSHD, UNKNOWN }

    /** A process as /proc showed it: its start (epoch seconds) and its binary's name; null when gone. */
    private record Proc(long startEpoch, String name, String exe) {
    }

    private final Path proc;
    private final long bootEpoch;
    private final Map<Integer, Proc> seen = new HashMap<>();

    /** Reads {@code /proc} of the host (not under the agent's root: the processes are the host's). */
    public static WriterCheck ofHost() {
        return new WriterCheck(Path.of("/proc"));
    }

    WriterCheck(Path proc) {
        this.proc = proc;
        this.bootEpoch = bootTime(proc);
    }

    /** What wrote a line of time {@code epochSecond} naming {@code pid}, as far as /proc can tell. */
    public Verdict check(int pid, long epochSecond) {
        if (pid <= 0 || bootEpoch < 0 || epochSecond < bootEpoch) {
            return Verdict.UNKNOWN;
        }
        Proc p = seen.computeIfAbsent(pid, this::read);
        // +2: the line's time is cut to the second, and btime (whole seconds) may be one off
        if (p == null || p.startEpoch() > epochSecond + 2) {
            return Verdict.UNKNOWN;
        }
        return SSHD_NAMES.contains(p.name()) ? Verdict.SSHD : Verdict.NOT_SSHD;
    }

    /** For messages: {@code pid 1234 (/usr/bin/python3)}. */
    public String describe(int pid) {
        Proc p = seen.get(pid);
        return "pid " + pid + (p == null ? "" : " (" + (p.exe() != null ? p.exe() : p.name()) + ")");
    }

    private Proc read(int pid) {
        Path dir = proc.resolve(Integer.toString(pid));
        String stat;
        try {
            stat = Files.readString(dir.resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException gone) {
            return null;
        }
        // pid (comm) state ppid ... field 22 is starttime; comm may hold spaces and parentheses: cut at the last ')'
        int close = stat.lastIndexOf(')');
        int open = stat.indexOf('(');
        if (open < 0 || close < open) {
            return null;
        }
        String comm = stat.substring(open + 1, close);
        String[] rest = stat.substring(close + 2).split(" ");
        long start;
        try {
            start = bootEpoch + Long.parseLong(rest[19]) / TICKS_PER_SECOND; // field 22 is the 20th after comm
        } catch (RuntimeException malformed) {
            return null;
        }
        String exe = null;
        try {
            exe = Files.readSymbolicLink(dir.resolve("exe")).toString();
            if (exe.endsWith(" (deleted)")) { // the binary was replaced by an upgrade since the process started
                exe = exe.substring(0, exe.length() - " (deleted)".length());
            }
        } catch (IOException | UnsupportedOperationException notReadable) {
            // another user's process when not root, or a kernel thread: comm is all there is
        }
        String name = exe != null ? exe.substring(exe.lastIndexOf('/') + 1) : comm;
        return new Proc(start, name, exe);
    }

    /** {@code btime} of {@code /proc/stat}: the boot, in epoch seconds; -1 if unknown (then nothing is checked). */
    private static long bootTime(Path proc) {
        try {
            for (String l : Files.readAllLines(proc.resolve("stat"), StandardCharsets.ISO_8859_1)) {
                if (l.startsWith("btime ")) {
                    return Long.parseLong(l.substring(6).strip());
                }
            }
        } catch (IOException | NumberFormatException unreadable) {
            // no /proc: checks say unknown
        }
        return -1;
    }
}
