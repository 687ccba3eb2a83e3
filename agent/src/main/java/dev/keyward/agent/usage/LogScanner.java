package dev.keyward.agent.usage;

import java.nio.charset.StandardCharsets;

/**
 * Finds the lines worth parsing in a buffer of sshd log text without looking at most bytes: a Wu-Manber search
 * (Horspool on byte pairs) for 16-byte windows of the three interesting messages — {@code d publickey for }
 * (both {@code Accepted} and {@code Failed publickey for}), {@code revoked by file } and
 * {@code Certificate inva}. A probe reads the two bytes at the end of the current window; a pair that occurs in
 * no window lets the search skip 15 bytes, so a typical auth.log is read at a fraction of its bytes. Only a line
 * that contains a window is handed on, as the byte range of the whole line. Nothing is allocated.
 */
public final class LogScanner {
    /** Receives one candidate line: bytes [start, end) of {@code buf}, no terminator. */
    public interface LineSink {
        void line(byte[] buf, int start, int end, boolean failedPublickey);
    }

    private static final byte[][] WINDOWS = {
            "d publickey for ".getBytes(StandardCharsets.US_ASCII),
            "revoked by file ".getBytes(StandardCharsets.US_ASCII),
            "Certificate inva".getBytes(StandardCharsets.US_ASCII)};
    private static final int M = 16;
    /** Shift for the byte pair ending at the probe: how far the window can move without missing a match. */
    private static final byte[] SHIFT = new byte[65536];
    private static final byte[] FAILED = "Faile".getBytes(StandardCharsets.US_ASCII);

    static {
        java.util.Arrays.fill(SHIFT, (byte) (M - 1));
        for (byte[] w : WINDOWS) {
            for (int j = 1; j < M; j++) {
                int pair = (w[j - 1] & 0xff) << 8 | (w[j] & 0xff);
                int s = M - 1 - j;
                if (s < SHIFT[pair]) {
                    SHIFT[pair] = (byte) s;
                }
            }
        }
    }

    private LogScanner() {
    }

    /** Scans {@code buf[from, to)}; a line reaching {@code to} without a terminator is passed as it is. */
    public static void scan(byte[] buf, int from, int to, LineSink sink) {
        final byte[] shift = SHIFT;
        int i = from + M - 1;
        while (i < to) {
            int s = shift[(buf[i - 1] & 0xff) << 8 | (buf[i] & 0xff)];
            if (s != 0) {
                i += s;
                continue;
            }
            int ws = i - M + 1;
            if (!matchesWindow(buf, ws)) {
                i++;
                continue;
            }
            int ls = ws;
            while (ls > from && buf[ls - 1] != '\n') {
                ls--;
            }
            int le = i + 1;
            while (le < to && buf[le] != '\n') {
                le++;
            }
            // "Failed publickey for": the window starts at the 'd' of "Failed"
            boolean failed = ws - ls >= FAILED.length && regionEquals(buf, ws - FAILED.length, FAILED);
            sink.line(buf, ls, le, failed);
            i = le + M; // the next line's first window ends M-1 bytes after its start
        }
    }

    private static boolean matchesWindow(byte[] buf, int ws) {
        for (byte[] w : WINDOWS) {
            if (regionEquals(buf, ws, w)) {
                return true;
            }
        }
        return false;
    }

    private static boolean regionEquals(byte[] buf, int at, byte[] w) {
        for (int k = w.length - 1; k >= 0; k--) {
            if (buf[at + k] != w[k]) {
                return false;
            }
        }
        return true;
    }
}
