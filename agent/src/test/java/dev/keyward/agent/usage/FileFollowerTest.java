package dev.keyward.agent.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.protocol.UsageEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFollowerTest {
    @TempDir
    Path dir;

    static String accepted(int n) {
        // the shape sshd writes; the fingerprint is made unique per login so every event can be told apart
        String fp = String.format("SHA256:%043d", n);
        return String.format("Nov 29 10:%02d:%02d host sshd[%d]: Accepted publickey for u%d from 10.0.0.%d port %d"
                + " ssh2: ED25519 %s\n", (n / 60) % 60, n % 60, 1000 + n, n % 7, n % 250, 40000 + n, fp);
    }

    static String noise(int n) {
        return "Nov 29 10:00:00 host sshd[" + n + "]: Received disconnect from 10.0.0.1 port 22:11: bye\n";
    }

    void append(Path f, int from, int to) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(noise(i)).append(accepted(i));
        }
        Files.writeString(f, sb, StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    FileFollower follower(Path log) {
        return new FileFollower(log, new SshdMessage(ZoneId.of("UTC"), 1_800_000_000L));
    }

    static void collect(FileFollower.Result r, List<UsageEvent> all) {
        all.addAll(r.events());
    }

    static Set<Integer> ports(List<UsageEvent> ev) {
        Set<Integer> s = new HashSet<>();
        for (UsageEvent e : ev) {
            assertTrue(s.add(e.sourcePort()), "counted twice: " + e);
        }
        return s;
    }

    static Set<Integer> expected(int n) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < n; i++) {
            s.add(40000 + i);
        }
        return s;
    }

    @Test
    void rotationMidwayLosesNothingAndCountsNothingTwice() throws Exception {
        Path log = dir.resolve("auth.log");
        FileFollower f = follower(log);
        List<UsageEvent> all = new ArrayList<>();
        append(log, 0, 100);
        FileFollower.Result r = f.read(null);
        collect(r, all);
        append(log, 100, 150);                         // written after our read...
        Files.move(log, dir.resolve("auth.log.1"));   // ...then logrotate renames the file
        append(dir.resolve("auth.log.1"), 150, 160);  // sshd still writes to the old inode until it reopens
        append(log, 160, 200);                         // the new file
        r = f.read(r.position());
        assertTrue(r.note().startsWith("rotated"), r.note());
        collect(r, all);
        append(log, 200, 210);
        collect(f.read(r.position()), all);
        assertEquals(expected(210), ports(all));
    }

    @Test
    void truncationIsReadFromTheStartAgain() throws Exception {
        Path log = dir.resolve("auth.log");
        FileFollower f = follower(log);
        List<UsageEvent> all = new ArrayList<>();
        append(log, 0, 50);
        FileFollower.Result r = f.read(null);
        collect(r, all);
        Files.write(log, new byte[0], StandardOpenOption.TRUNCATE_EXISTING); // copytruncate
        append(log, 50, 60);
        r = f.read(r.position());
        assertTrue(r.note().startsWith("truncated"), r.note());
        collect(r, all);
        assertEquals(expected(60), ports(all));
    }

    @Test
    void aLineStillBeingWrittenIsReadOnceComplete() throws Exception {
        Path log = dir.resolve("auth.log");
        FileFollower f = follower(log);
        String line = accepted(1);
        Files.writeString(log, accepted(0) + line.substring(0, 40));
        FileFollower.Result r = f.read(null);
        assertEquals(1, r.events().size());
        Files.writeString(log, line.substring(40), StandardOpenOption.APPEND);
        r = f.read(r.position());
        assertEquals(1, r.events().size());
        assertEquals(40001, r.events().get(0).sourcePort());
        assertEquals(0, f.read(r.position()).events().size());
    }

    @Test
    void rereadingFromAnOldPositionGivesTheSameIds() throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, 0, 20);
        List<String> a = follower(log).read(null).events().stream().map(UsageEvent::id).toList();
        List<String> b = follower(log).read(null).events().stream().map(UsageEvent::id).toList();
        assertEquals(20, a.size());
        assertEquals(a, b);
    }

    @Test
    void bigFileAcrossManyBuffersMissesNoLine() throws Exception {
        Path log = dir.resolve("auth.log");
        int n = 60_000; // about 11 MB: several 4 MiB buffers, lines cut at buffer edges
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(noise(i)).append(accepted(i));
        }
        Files.writeString(log, sb);
        List<UsageEvent> ev = follower(log).read(null).events();
        assertEquals(n, ev.size());
        assertEquals(n, new HashSet<>(ev.stream().map(UsageEvent::id).toList()).size());
    }

    /** Reads {@code log} from the start on one thread, or on two for every buffer of 64 KiB and more. */
    FileFollower.Result readOn(Path log, int threads) throws Exception {
        int saved = FileFollower.PARALLEL_MIN;
        try {
            FileFollower.PARALLEL_MIN = threads == 1 ? Integer.MAX_VALUE : 64 * 1024;
            return follower(log).read(null);
        } finally {
            FileFollower.PARALLEL_MIN = saved;
        }
    }

    @Test
    void twoThreadsFindTheSameEventsAsOne() throws Exception {
        // > 2 buffers of 4 MiB, with revocations and invalid certificates whose Failed line follows at once, a
        // few lines later, or never, so that some pairs straddle the point where a buffer is split
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 10_000_000; i++) {
            sb.append(noise(i)).append(accepted(i));
            if (i % 97 == 0) {
                sb.append("Nov 29 10:00:01 host sshd[").append(7000 + i % 5).append("]: Authentication key ED25519 ")
                        .append(String.format("SHA256:%043d", i)).append(" revoked by file /etc/ssh/revoked_keys\n");
            }
            if (i % 89 == 0) {
                sb.append("Nov 29 10:00:02 host sshd[").append(7000 + i % 5)
                        .append("]: Certificate invalid: expired\n");
            }
            if (i % 3 == 0) {
                sb.append("Nov 29 10:00:03 host sshd[").append(7000 + i % 5).append("]: Failed publickey for u")
                        .append(i % 7).append(" from 10.0.0.9 port 4").append(i % 1000).append(" ssh2: ED25519-CERT ")
                        .append(String.format("SHA256:%043d", i - i % 97))
                        .append(" ID k (serial 9) CA ED25519 SHA256:ca\n");
            }
        }
        Path log = dir.resolve("big.log");
        Files.writeString(log, sb, StandardCharsets.US_ASCII);
        FileFollower.Result r1 = readOn(log, 1);
        FileFollower.Result r2 = readOn(log, 2);
        List<UsageEvent> one = r1.events();
        List<UsageEvent> two = r2.events();
        assertTrue(one.size() > 30_000, "events: " + one.size());
        assertTrue(one.stream().anyMatch(e -> e.kind().equals("revoked")));
        assertTrue(one.stream().anyMatch(e -> e.kind().equals("cert_invalid")));
        assertEquals(one, two);
        assertEquals(r1.position(), r2.position());
    }

    /** The event without its id (which covers the line's bytes, terminator included). */
    static UsageEvent noId(UsageEvent e) {
        return new UsageEvent("", e.time(), e.account(), e.fingerprint(), e.keyType(), e.certSerial(), e.keyId(),
                e.caFingerprint(), e.sourceIp(), e.sourcePort(), e.kind(), e.detail());
    }

    @Test
    void crlfLinesGiveTheSameEventsAsLfLines() throws Exception {
        StringBuilder lf = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            lf.append(noise(i)).append(accepted(i));
            if (i % 10 == 0) {
                lf.append("Nov 29 10:00:02 host sshd[").append(9000 + i).append("]: Certificate invalid: expired\n")
                        .append("Nov 29 10:00:02 host sshd[").append(9000 + i).append("]: Failed publickey for u")
                        .append(i).append(" from 10.0.0.9 port 4").append(i).append(" ssh2: ED25519-CERT SHA256:c")
                        .append(" ID key ").append(i).append(" (serial ").append(i).append(") CA ED25519 SHA256:ca\n");
            }
        }
        Path a = dir.resolve("lf.log");
        Path b = dir.resolve("crlf.log");
        Files.writeString(a, lf);
        Files.writeString(b, lf.toString().replace("\n", "\r\n"));
        List<UsageEvent> ea = follower(a).read(null).events();
        List<UsageEvent> eb = follower(b).read(null).events();
        assertEquals(220, ea.size());
        assertEquals(ea.stream().map(FileFollowerTest::noId).toList(), eb.stream().map(FileFollowerTest::noId).toList());
        UsageEvent invalid = eb.stream().filter(e -> e.kind().equals("cert_invalid")).findFirst().orElseThrow();
        assertEquals("expired", invalid.detail());
        assertEquals("SHA256:ca", invalid.caFingerprint());
        assertEquals("key 0", invalid.keyId());
    }

    @Test
    void aBigLogWithCrlfLinesLongLinesAndAnUnfinishedLastLine() throws Exception {
        // several buffers, with CRLF lines, a line longer than the buffer, a valid line of 100 KB (a long key ID)
        // and a last line still being written; one thread and two find the same
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (int i = 0; sb.length() < 9_500_000; i++, n++) {
            String a = accepted(i);
            sb.append(noise(i)).append(i % 5 == 0 ? a.replace("\n", "\r\n") : a);
            if (i == 1000) {
                sb.append("x".repeat(FileFollower.BUFFER + 10)).append(" Accepted publickey for huge\n");
            }
            if (i == 3000) {
                sb.append("Nov 29 10:00:00 host sshd[1]: Accepted publickey for long from 10.0.0.1 port 1 ssh2:")
                        .append(" RSA-CERT SHA256:f ID ").append("k".repeat(100_000))
                        .append(" (serial 5) CA ED25519 SHA256:ca\n");
            }
        }
        String partial = accepted(999_999).substring(0, 50);
        sb.append(partial);
        Path log = dir.resolve("big.log");
        Files.writeString(log, sb, StandardCharsets.US_ASCII);
        FileFollower.Result one = readOn(log, 1);
        FileFollower.Result two = readOn(log, 2);
        assertEquals(one.events(), two.events());
        assertEquals(one.position(), two.position());
        assertEquals(Files.size(log) - partial.length(), two.position().offset());
        List<UsageEvent> ev = two.events();
        assertEquals(n + 1, ev.size()); // and not "huge", whose line was skipped
        assertEquals(ev.size(), ports(ev).size());
        assertTrue(ev.stream().noneMatch(e -> e.account().equals("huge")));
        UsageEvent longId = ev.stream().filter(e -> e.account().equals("long")).findFirst().orElseThrow();
        assertEquals(100_000, longId.keyId().length());
        assertEquals("5", longId.certSerial());
        for (UsageEvent e : ev) {
            assertTrue(e.fingerprint().startsWith("SHA256:") && e.fingerprint().indexOf('\r') < 0, e.toString());
        }
    }
}
