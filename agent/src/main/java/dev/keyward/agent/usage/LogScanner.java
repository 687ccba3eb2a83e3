package dev.keyward.agent.usage;

import java.nio.charset.StandardCharsets;

/**
 * Finds the lines worth parsing in a buffer of sshd log text without looking at most bytes: a Wu-Manber search
 * (Horspool on byte pairs) for 16-byte windows of the three interesting messages — {@code d publickey for }
 * (both {@code Accepted} and {@code Failed publickey for}), {@code revoked by file } and
 * {@code Certificate inva}. A probe reads the two bytes at the end of the current window; a pair that occurs in
 * no window lets the search skip 15 bytes, so a typical auth.log is read at a fraction of its bytes. Only a line
 * that contains a window is handed on, as the byte range of the whole line; nothing is allocated but the
 * arrays holding those ranges.
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
    /**
     * Shift for the byte pair ending at the probe: how far the window can move without missing a match. A pair is
     * indexed by the low seven bits of each byte, so that the table (16 KiB) stays in the L1 cache; the windows are
     * ASCII, and a non-ASCII byte only shares an entry with an ASCII one, whose shift is then merely smaller.
     */
    private static final byte[] SHIFT = new byte[1 << 14];
    private static final byte[] FAILED = "Faile".getBytes(StandardCharsets.US_ASCII);

    static {
        java.util.Arrays.fill(SHIFT, (byte) (M - 1));
        for (byte[] w : WINDOWS) {
            for (int j = 1; j < M; j++) {
                int pair = (w[j - 1] & 0x7f) << 7 | (w[j] & 0x7f);
                int s = M - 1 - j;
                if (s < SHIFT[pair]) {
                    SHIFT[pair] = (byte) s;
                }
            }
        }
    }

    private LogScanner() {
    }

    /** Below this many bytes a range is searched with one cursor. */
    static final int INTERLEAVE_MIN = 64 * 1024;
    private static final int K = 4;

    /**
     * Scans {@code buf[from, to)}; a line reaching {@code to} without a terminator is passed as it is. Lines are
     * passed in order. A large range is cut at newlines into four parts searched by four cursors advanced in
     * turn: each cursor's next probe depends on its last (the shift comes from the bytes it read), so one cursor
     * mostly waits on loads; four independent ones keep the core busy.
     */
    public static void scan(byte[] buf, int from, int to, LineSink sink) {
        scan(buf, from, to, sink, new Scratch());
    }

    /** Room for the candidate lines' ranges, reused from one {@code scan} to the next by one thread. */
    public static final class Scratch {
        private final Hits[] hits = {new Hits(), new Hits(), new Hits(), new Hits()};
    }

    /** {@link #scan(byte[], int, int, LineSink)} keeping the ranges in {@code scratch} (one thread's own). */
    public static void scan(byte[] buf, int from, int to, LineSink sink, Scratch scratch) {
        Hits[] hits = scratch.hits;
        int[] at = new int[K + 1];
        at[0] = from;
        at[K] = to;
        boolean split = to - from >= INTERLEAVE_MIN;
        for (int k = 1; k < K; k++) {
            int p = split ? Math.max(from + (int) ((long) (to - from) * k / K), at[k - 1]) : to;
            while (p < to && buf[p - 1] != '\n') {
                p++;
            }
            at[k] = p;
        }
        for (Hits h : hits) {
            h.n = 0;
        }
        final byte[] shift = SHIFT;
        int i0 = at[0] + M - 1;
        int i1 = at[1] + M - 1;
        int i2 = at[2] + M - 1;
        int i3 = at[3] + M - 1;
        final int e0 = at[1];
        final int e1 = at[2];
        final int e2 = at[3];
        final int e3 = at[4];
        while (i0 < e0 && i1 < e1 && i2 < e2 && i3 < e3) {
            int s0 = shift[(buf[i0 - 1] & 0x7f) << 7 | (buf[i0] & 0x7f)];
            int s1 = shift[(buf[i1 - 1] & 0x7f) << 7 | (buf[i1] & 0x7f)];
            int s2 = shift[(buf[i2 - 1] & 0x7f) << 7 | (buf[i2] & 0x7f)];
            int s3 = shift[(buf[i3 - 1] & 0x7f) << 7 | (buf[i3] & 0x7f)];
            i0 = s0 != 0 ? i0 + s0 : candidate(buf, i0, at[0], e0, hits[0]);
            i1 = s1 != 0 ? i1 + s1 : candidate(buf, i1, at[1], e1, hits[1]);
            i2 = s2 != 0 ? i2 + s2 : candidate(buf, i2, at[2], e2, hits[2]);
            i3 = s3 != 0 ? i3 + s3 : candidate(buf, i3, at[3], e3, hits[3]);
        }
        single(buf, i0, at[0], e0, hits[0]);
        single(buf, i1, at[1], e1, hits[1]);
        single(buf, i2, at[2], e2, hits[2]);
        single(buf, i3, at[3], e3, hits[3]);
        for (Hits h : hits) {
            for (int j = 0; j < h.n; j += 3) {
                sink.line(buf, h.a[j], h.a[j + 1], h.a[j + 2] != 0);
            }
        }
    }

    /** One cursor from probe position {@code i} over the part {@code [from, to)}. */
    private static void single(byte[] buf, int i, int from, int to, Hits hits) {
        final byte[] shift = SHIFT;
        while (i < to) {
            int s = shift[(buf[i - 1] & 0x7f) << 7 | (buf[i] & 0x7f)];
            i = s != 0 ? i + s : candidate(buf, i, from, to, hits);
        }
    }

    /**
     * The probe at {@code i} allows no shift: records the line if a window ends there, and returns the next
     * probe position.
     */
    private static int candidate(byte[] buf, int i, int from, int to, Hits hits) {
        int ws = i - M + 1;
        if (!matchesWindow(buf, ws)) {
            return i + 1;
        }
        int nl = lastIndexOf(buf, NL, from, ws);
        int ls = nl < 0 ? from : nl + 1;
        int le = indexOf(buf, NL, i + 1, to);
        if (le < 0) {
            le = to;
        }
        // "Failed publickey for": the window starts at the 'd' of "Failed"
        boolean failed = ws - ls >= FAILED.length && regionEquals(buf, ws - FAILED.length, FAILED);
        hits.add(ls, le, failed);
        return le + M; // the next line's first window ends M-1 bytes after its start
    }

    /** Candidate lines of one part, as (start, end, failed) triples. */
    private static final class Hits {
        int[] a = new int[96];
        int n;

        void add(int start, int end, boolean failed) {
            if (n + 3 > a.length) {
                a = java.util.Arrays.copyOf(a, a.length * 2);
            }
            a[n] = start;
            a[n + 1] = end;
            a[n + 2] = failed ? 1 : 0;
            n += 3;
        }
    }

    private static final long NL = 0x0a0a0a0a0a0a0a0aL;
    private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** High bit set in exactly the bytes of {@code x} that are zero. */
    private static long zeroBytes(long x) {
        return ~(((x & LOW7) + LOW7) | x | LOW7);
    }

    /**
     * The first index in {@code [from, to)} holding the byte repeated in {@code pattern} (as {@link #NL}), -1 if
     * none: eight bytes at a time, as the rest of a candidate line is long.
     */
    static int indexOf(byte[] b, long pattern, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long z = zeroBytes((long) LONGS.get(b, i) ^ pattern);
            if (z != 0) {
                return i + (Long.numberOfTrailingZeros(z) >>> 3);
            }
        }
        byte c = (byte) pattern;
        for (; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** The last index in {@code [from, to)} holding the byte repeated in {@code pattern}, -1 if none. */
    static int lastIndexOf(byte[] b, long pattern, int from, int to) {
        int i = to;
        for (; i - 8 >= from; i -= 8) {
            long z = zeroBytes((long) LONGS.get(b, i - 8) ^ pattern);
            if (z != 0) {
                return i - 1 - (Long.numberOfLeadingZeros(z) >>> 3);
            }
        }
        byte c = (byte) pattern;
        for (i--; i >= from; i--) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
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
