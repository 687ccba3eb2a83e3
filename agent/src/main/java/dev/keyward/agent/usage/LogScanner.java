package dev.keyward.agent.usage;

import java.nio.charset.StandardCharsets;

/**
 * Finds the lines worth parsing in a buffer of sshd log text without looking at every byte: a multi-pattern
 * Horspool search for short windows of the four messages ({@code publickey}, {@code revoked b},
 * {@code Certifica}), skipping up to 9 bytes per probe. Only a line that contains a window is handed on, as
 * the byte range of the whole line. Nothing is allocated per line.
 */
public final class LogScanner {
    /** Receives one candidate line: bytes [start, end) of {@code buf}, no terminator. */
    public interface LineSink {
        void line(byte[] buf, int start, int end, boolean failedPublickey);
    }

    private static final byte[][] WINDOWS = {
            "publickey".getBytes(StandardCharsets.US_ASCII),
            "revoked b".getBytes(StandardCharsets.US_ASCII),
            "Certifica".getBytes(StandardCharsets.US_ASCII)};
    private static final int M = 9;
    private static final byte[] SHIFT = new byte[256];
    private static final byte[] FAILED = "Failed ".getBytes(StandardCharsets.US_ASCII);

    static {
        java.util.Arrays.fill(SHIFT, (byte) M);
        for (byte[] w : WINDOWS) {
            for (int j = 0; j < M; j++) {
                int s = M - 1 - j;
                if (s < SHIFT[w[j] & 0xff]) {
                    SHIFT[w[j] & 0xff] = (byte) s;
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
            int s = shift[buf[i] & 0xff];
            if (s != 0) {
                i += s;
                continue;
            }
            int ws = i - M + 1;
            if (!matchesWindow(buf, ws, buf[i])) {
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
            boolean failed = ws - ls >= FAILED.length && regionEquals(buf, ws - FAILED.length, FAILED);
            sink.line(buf, ls, le, failed);
            i = le + M; // the next line's first window ends M-1 bytes after its start
        }
    }

    private static boolean matchesWindow(byte[] buf, int ws, byte last) {
        for (byte[] w : WINDOWS) {
            if (w[M - 1] == last && regionEquals(buf, ws, w)) {
                return true;
            }
        }
        return false;
    }

    private static boolean regionEquals(byte[] buf, int at, byte[] w) {
        for (int k = 0; k < w.length; k++) {
            if (buf[at + k] != w[k]) {
                return false;
            }
        }
        return true;
    }
}
