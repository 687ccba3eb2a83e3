package dev.keyward.agent.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.protocol.UsageEvent;
import dev.keyward.agent.usage.WriterCheck.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer check on a /proc tree laid out as Linux lays it out ({@code stat}'s {@code btime}, each process's
 * {@code stat} and {@code exe} link): sshd binaries pass, other live processes are flagged, gone, reused and
 * pre-boot PIDs are unknown; the log follower flags the same lines on one thread and on two.
 */
class WriterCheckTest {
    static final long BOOT = 1_790_000_000L; // 2026-09-21, before the lines' Nov 29

    @TempDir
    Path proc;

    /** A process with {@code comm}, started {@code afterBoot} seconds after the boot, running {@code exe}. */
    void process(int pid, String comm, long afterBoot, String exe) throws Exception {
        Path d = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
        // priority nice threads itrealvalue starttime vsize ...
        Files.writeString(d.resolve("stat"), pid + " (" + comm + ") S 1 " + pid + " " + pid + " 0 -1 4194560 100 0 0 0 1"
                + " 0 0 0 20 0 1 0 " + afterBoot * 100 + " 3133440 413 18446744073709551615 0 0 0\n");
        if (exe != null) {
            Files.createSymbolicLink(d.resolve("exe"), Path.of(exe));
        }
    }

    WriterCheck check() throws Exception {
        Files.writeString(proc.resolve("stat"), "cpu  1 2 3 4\nintr 0\nctxt 5\nbtime " + BOOT + "\nprocesses 9\n");
        return new WriterCheck(proc);
    }

    @Test
    void sshdBinariesPassOtherLiveProcessesAreFlaggedTheRestIsUnknown() throws Exception {
        process(100, "sshd", 10, "/usr/sbin/sshd");
        process(101, "sshd-session", 20, "/usr/lib/openssh/sshd-session (deleted)");
        process(102, "python3", 30, "/usr/bin/python3.11");
        process(103, "sshd", 40, "/home/mallory/bin/python3"); // comm is the writer's to choose; exe is not
        process(104, "kworker/0:1", 0, null); // no exe link: comm decides
        process(105, "sshd", 0, null);
        process(106, "sleep", 5_000_000, "/usr/bin/sleep"); // started after the line: the PID was reused
        WriterCheck c = check();
        long line = BOOT + 1_000_000;
        assertEquals(Verdict.SSHD, c.check(100, line));
        assertEquals(Verdict.SSHD, c.check(101, line));
        assertEquals(Verdict.NOT_SSHD, c.check(102, line));
        assertEquals("pid 102 (/usr/bin/python3.11)", c.describe(102));
        assertEquals(Verdict.NOT_SSHD, c.check(103, line));
        assertEquals(Verdict.NOT_SSHD, c.check(104, line));
        assertEquals(Verdict.SSHD, c.check(105, line));
        assertEquals(Verdict.UNKNOWN, c.check(106, line));
        assertEquals(Verdict.UNKNOWN, c.check(107, line), "gone");
        assertEquals(Verdict.UNKNOWN, c.check(102, BOOT - 60), "a line from before the boot");
        assertEquals(Verdict.UNKNOWN, c.check(-1, line), "no PID in the line");
        assertEquals(Verdict.UNKNOWN, new WriterCheck(proc.resolve("missing")).check(102, line), "no /proc");
    }

    @Test
    void oneThreadAndTwoFlagTheSameLines() throws Exception {
        process(200, "sshd", 10, "/usr/sbin/sshd");
        process(201, "logger", 10, "/usr/bin/logger");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 300_000; i++) {
            sb.append(String.format("Nov 29 10:%02d:%02d host sshd[%d]: Accepted publickey for u%d from 10.0.0.%d port"
                    + " %d ssh2: ED25519 SHA256:%043d\n", (i / 60) % 60, i % 60, i % 3 == 0 ? 201 : 200, i % 7,
                    i % 250, 40000 + i, i));
            sb.append("Nov 29 10:00:00 host sshd[200]: Received disconnect from 10.0.0.1 port 22:11: bye\n");
        }
        Path log = Files.writeString(proc.resolve("auth.log"), sb, StandardCharsets.US_ASCII);
        int saved = FileFollower.PARALLEL_MIN;
        try {
            FileFollower.Result[] r = new FileFollower.Result[2];
            for (int threads = 1; threads <= 2; threads++) {
                FileFollower.PARALLEL_MIN = threads == 1 ? Integer.MAX_VALUE : 64 * 1024;
                r[threads - 1] = new FileFollower(log, new SshdMessage(ZoneId.of("UTC"), 1_800_000_000L), check())
                        .read(null);
            }
            long lines = sb.chars().filter(ch -> ch == '\n').count() / 2;
            assertEquals((lines + 2) / 3, r[0].flagged().count());
            assertEquals(r[0].flagged(), r[1].flagged());
            assertEquals(lines - r[0].flagged().count(), r[0].events().size());
            assertEquals(r[0].events().stream().map(UsageEvent::id).toList(),
                    r[1].events().stream().map(UsageEvent::id).toList());
            assertTrue(r[0].flagged().samples().get(0).startsWith("2026-11-29T10:00:00Z pid 201 (/usr/bin/logger):"
                    + " accepted publickey for u0 from 10.0.0.0: ED25519 SHA256:"), r[0].flagged().samples().get(0));
            assertEquals(List.of(), new FileFollower(log, new SshdMessage(ZoneId.of("UTC"), 1_800_000_000L))
                    .read(null).flagged().samples(), "without a check (parse-log) nothing is flagged");
        } finally {
            FileFollower.PARALLEL_MIN = saved;
        }
    }
}
