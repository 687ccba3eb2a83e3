package dev.keyward.agent.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The scanner against a naive line-by-line search, on one cursor (small ranges) and four (large ones). */
class LogScannerTest {
    private static final String[] WINDOWS = {"d publickey for ", "revoked by file ", "Certificate inva"};

    private static final String[] LINES = {
            "Nov 29 15:06:26 web-01 sshd[1001]: Accepted publickey for alice from 10.0.0.1 port 4242 ssh2: ED25519 SHA256:abc",
            "Nov 29 15:06:26 web-01 sshd[1002]: Failed publickey for bob from 10.0.0.2 port 4243 ssh2: RSA-CERT SHA256:x ID k (serial 1) CA ED25519 SHA256:y",
            "2026-11-29T15:06:26.123456+00:00 h sshd-session[7]: Authentication key ED25519 SHA256:z revoked by file /etc/ssh/krl",
            "Nov 29 15:06:26 web-01 sshd[1003]: Certificate invalid: expired\r",
            "Nov 29 15:06:26 web-01 sshd[1004]: Received disconnect from 10.0.0.1 port 22:11: bye",
            "Nov 29 15:06:26 web-01 CRON[1]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
            "d publickey for ",
            "",
            "x",
            "Accepted key ED25519 SHA256:abc found at /home/u/.ssh/authorized_keys:1"};

    record Hit(int start, int end, boolean failed) {
    }

    static List<Hit> naive(byte[] b, int from, int to) {
        List<Hit> out = new ArrayList<>();
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int ls = from;
        while (ls < to) {
            int le = s.indexOf('\n', ls);
            if (le < 0 || le > to) {
                le = to;
            }
            String line = s.substring(ls, le);
            int firstEnd = Integer.MAX_VALUE;
            int ws = -1;
            for (String w : WINDOWS) {
                int at = line.indexOf(w);
                if (at >= 0 && at + w.length() < firstEnd) {
                    firstEnd = at + w.length();
                    ws = at;
                }
            }
            if (ws >= 0) {
                out.add(new Hit(ls, le, ws >= 5 && line.startsWith("Faile", ws - 5)));
            }
            ls = le + 1;
        }
        return out;
    }

    static List<Hit> scanned(byte[] b, int from, int to) {
        List<Hit> out = new ArrayList<>();
        LogScanner.scan(b, from, to, (buf, s, e, failed) -> out.add(new Hit(s, e, failed)));
        return out;
    }

    static byte[] randomLog(Random r, int bytes, boolean finalNewline) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < bytes) {
            int k = r.nextInt(LINES.length + 2);
            if (k < LINES.length) {
                sb.append(LINES[k]);
            } else if (k == LINES.length) {
                sb.append("x".repeat(r.nextInt(3000))).append(WINDOWS[r.nextInt(3)]).append("y".repeat(r.nextInt(50)));
            } else {
                sb.append((char) ('a' + r.nextInt(26)));  // short noise
            }
            sb.append('\n');
        }
        if (!finalNewline) {
            sb.append("Nov 29 15:06:26 web-01 sshd[9]: Accepted publickey for cut");
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void findsWhatALineByLineSearchFinds() {
        Random r = new Random(7);
        LogScanner.Scratch scratch = new LogScanner.Scratch(); // one for all rounds, as a reader keeps one
        for (int round = 0; round < 60; round++) {
            int size = round % 3 == 0 ? r.nextInt(2000) : LogScanner.INTERLEAVE_MIN + r.nextInt(300_000);
            byte[] b = randomLog(r, size, round % 2 == 0);
            // any range starting at a line start
            int from = 0;
            if (r.nextBoolean()) {
                int p = r.nextInt(Math.max(1, b.length / 4));
                while (p < b.length && p > 0 && b[p - 1] != '\n') {
                    p++;
                }
                from = p;
            }
            int to = r.nextBoolean() ? b.length : from + r.nextInt(b.length - from + 1);
            List<Hit> expected = naive(b, from, to);
            assertEquals(expected, scanned(b, from, to), "round " + round);
            List<Hit> reused = new ArrayList<>();
            LogScanner.scan(b, from, to, (buf, s, e, failed) -> reused.add(new Hit(s, e, failed)), scratch);
            assertEquals(expected, reused, "round " + round + ", scratch reused");
        }
    }

    @Test
    void aLongLineAndOnesAtTheEdgesOfTheFourParts() {
        StringBuilder sb = new StringBuilder();
        sb.append("q".repeat(200_000)).append(" Accepted publickey for a\n");
        for (int i = 0; i < 20_000; i++) {
            sb.append(LINES[i % 4]).append('\n');
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        List<Hit> hits = scanned(b, 0, b.length);
        assertEquals(naive(b, 0, b.length), hits);
        assertEquals(20_001, hits.size());
        assertEquals(new Hit(0, 200_025, false), hits.get(0));
    }

    @Test
    void swarSearchesAgreeWithALoop() {
        Random r = new Random(3);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[r.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (r.nextInt(4) == 0 ? '\n' : r.nextInt(256));
            }
            int from = b.length == 0 ? 0 : r.nextInt(b.length);
            int to = from + r.nextInt(b.length - from + 1);
            int first = -1;
            int last = -1;
            for (int i = from; i < to; i++) {
                if (b[i] == '\n') {
                    last = i;
                    if (first < 0) {
                        first = i;
                    }
                }
            }
            assertEquals(first, LogScanner.indexOf(b, 0x0a0a0a0a0a0a0a0aL, from, to));
            assertEquals(last, LogScanner.lastIndexOf(b, 0x0a0a0a0a0a0a0a0aL, from, to));
        }
    }
}
