package dev.keyward.agent.usage;

import dev.keyward.agent.protocol.UsageEvent;
import dev.keyward.ca.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads sshd's entries from journald: runs the configured command (default
 * {@code journalctl -o json --no-pager -t sshd -t sshd-session}) with {@code --after-cursor} of the last entry
 * read, one JSON object per line. The message, PID and time come from the entry's {@code MESSAGE}, {@code _PID}
 * and {@code __REALTIME_TIMESTAMP}; the event id is a digest of its {@code __CURSOR}, stable across re-reads.
 *
 * <p>Only sshd's own records count. {@code SYSLOG_IDENTIFIER} (what {@code -t sshd} selects) is whatever the sender
 * said: {@code logger -t sshd "Accepted publickey for root ..."} sets it. The fields whose names start with an
 * underscore are journald's own, taken from the sending process's credentials and {@code /proc}
 * (systemd.journal-fields(7)), and cannot be set by the sender: an entry is sshd's when {@code _UID} is 0 and
 * {@code _EXE}'s file name is an sshd binary ({@code sshd}, {@code sshd-session} or {@code sshd-auth}, in whatever
 * directory the distribution keeps it: {@code /usr/sbin/sshd}, {@code /usr/lib/openssh/sshd-session},
 * {@code /usr/libexec/openssh/sshd-session}), or, when journald could not read {@code _EXE} (the sender had
 * exited), {@code _COMM} is one of those names. sshd's privilege-separated children send their messages to the
 * root monitor, which logs them, so real entries carry {@code _UID=0}. Anything else that parses as an sshd
 * message is {@link Flagged flagged}, not reported; an entry without {@code _UID} (a journal exported without its
 * trusted fields) too. Only root can log as uid 0 from an sshd binary, and root can do anything on the host anyway.
 */
public final class JournalSource {
    private final List<String> command;
    private final SshdMessage parser;

    public JournalSource(List<String> command, SshdMessage parser) {
        this.command = List.copyOf(command);
        this.parser = parser;
    }

    public record Result(List<UsageEvent> events, String cursor, long entries, Flagged flagged) {
    }

    /** Reads the entries after {@code cursor} (all retained ones when null). */
    public Result read(String cursor) throws IOException {
        List<String> cmd = new ArrayList<>(command);
        if (cursor != null) {
            cmd.add("--after-cursor=" + cursor);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8),
                1 << 16)) {
            Result res = parse(r, cursor);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue());
            }
            return res;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Parses journal JSON lines (also used on captured {@code journalctl -o json} output in tests). */
    public Result parse(BufferedReader r, String cursor) throws IOException {
        EventAssembler asm = new EventAssembler();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long n = 0;
        for (String line; (line = r.readLine()) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> e = Json.parseObject(line.getBytes(StandardCharsets.UTF_8));
            n++;
            String c = e.get("__CURSOR") instanceof String s ? s : null;
            if (c != null) {
                cursor = c;
            }
            String msg = message(e.get("MESSAGE"));
            if (msg == null) {
                continue;
            }
            int pid = (int) number(e.get("_PID"), number(e.get("SYSLOG_PID"), -1));
            long micros = number(e.get("__REALTIME_TIMESTAMP"), System.currentTimeMillis() * 1000);
            LogLine l = parser.parse(msg, pid, micros / 1_000_000);
            if (l != null && !fromSshd(e)) {
                asm.flag(java.time.Instant.ofEpochSecond(micros / 1_000_000) + " " + writer(e, pid) + ": "
                        + EventAssembler.describe(l));
                continue;
            }
            if (l != null) {
                sha.reset();
                String id = HexFormat.of().formatHex(sha.digest(("journal:" + c + ":" + msg)
                        .getBytes(StandardCharsets.UTF_8)), 0, 16);
                asm.accept(l, id);
            }
        }
        return new Result(asm.finish(), cursor, n, asm.flagged());
    }

    /** Written by sshd, as journald's trusted fields tell (see the class comment). */
    static boolean fromSshd(Map<String, Object> e) {
        if (number(e.get("_UID"), -1) != 0) {
            return false;
        }
        if (e.get("_EXE") instanceof String exe) {
            String path = exe.endsWith(" (deleted)") ? exe.substring(0, exe.length() - " (deleted)".length()) : exe;
            return WriterCheck.SSHD_NAMES.contains(path.substring(path.lastIndexOf('/') + 1));
        }
        return e.get("_COMM") instanceof String comm && WriterCheck.SSHD_NAMES.contains(comm);
    }

    /** For messages: {@code pid 1234 (_UID 1000, _EXE /usr/bin/logger)}. */
    private static String writer(Map<String, Object> e, int pid) {
        return "pid " + pid + " (_UID " + (e.get("_UID") instanceof String u ? u : "absent") + ", "
                + (e.get("_EXE") instanceof String x ? "_EXE " + x
                : e.get("_COMM") instanceof String c ? "_COMM " + c : "no _EXE or _COMM") + ")";
    }

    /** journald gives MESSAGE as a string, or as an array of bytes when it is not valid UTF-8. */
    private static String message(Object m) {
        if (m == null) {
            return null;
        }
        if (m instanceof List<?> l) {
            byte[] b = new byte[l.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) number(l.get(i), 0);
            }
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        return m instanceof String s ? s : null;
    }

    /** journald writes numbers as strings ({@code "_PID":"1234"}); either form, else {@code dflt}. */
    private static long number(Object v, long dflt) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        return dflt;
    }
}
