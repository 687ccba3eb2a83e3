package dev.keyward.ca.krl;

import java.util.Arrays;

/**
 * An immutable set of certificate serial numbers held as sorted, disjoint, non-adjacent closed ranges
 * {@code [lo(i), hi(i)]}. Serials are unsigned 64-bit values in a {@code long} (PROTOCOL.certkeys), so all
 * ordering here is {@link Long#compareUnsigned}. Primitive arrays only: a million serials cost 16 MB at most
 * and no boxing.
 */
public final class SerialRanges {
    static final SerialRanges EMPTY = new SerialRanges(new long[0], new long[0]);

    private final long[] lo;
    private final long[] hi;

    private SerialRanges(long[] lo, long[] hi) {
        this.lo = lo;
        this.hi = hi;
    }

    /**
     * The union of the closed ranges {@code [los[i], his[i]]} for {@code i < n}, with overlapping and adjacent
     * ranges merged. Each {@code los[i] <= his[i]} (unsigned) is the caller's responsibility.
     */
    static SerialRanges union(long[] los, long[] his, int n) {
        if (n == 0) {
            return EMPTY;
        }
        // Sort starts and ends independently (flipping the sign bit turns unsigned order into signed order),
        // then sweep: a merged range opens when the nesting depth leaves 0 and closes when it returns to 0.
        // This is the union of closed intervals without sorting pairs (no boxing, two primitive sorts).
        long[] s = new long[n];
        long[] e = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = los[i] ^ Long.MIN_VALUE;
            e[i] = his[i] ^ Long.MIN_VALUE;
        }
        Arrays.sort(s);
        Arrays.sort(e);
        long[] outLo = new long[n];
        long[] outHi = new long[n];
        int m = 0;
        int i = 0;
        int j = 0;
        int depth = 0;
        long open = 0;
        while (j < n) {
            if (i < n && s[i] <= e[j]) {
                if (depth++ == 0) {
                    open = s[i];
                }
                i++;
            } else {
                if (--depth == 0) {
                    long close = e[j];
                    // Adjacent to the previous range (prev.hi + 1 == open, without wrapping past 2^64-1)?
                    if (m > 0 && outHi[m - 1] != Long.MAX_VALUE && outHi[m - 1] + 1 == open) {
                        outHi[m - 1] = close;
                    } else {
                        outLo[m] = open;
                        outHi[m] = close;
                        m++;
                    }
                }
                j++;
            }
        }
        long[] rl = new long[m];
        long[] rh = new long[m];
        for (int k = 0; k < m; k++) {
            rl[k] = outLo[k] ^ Long.MIN_VALUE;
            rh[k] = outHi[k] ^ Long.MIN_VALUE;
        }
        return new SerialRanges(rl, rh);
    }

    /** Number of disjoint ranges. */
    public int rangeCount() {
        return lo.length;
    }

    public boolean isEmpty() {
        return lo.length == 0;
    }

    /** Lowest serial of range {@code i} (unsigned). */
    public long lo(int i) {
        return lo[i];
    }

    /** Highest serial of range {@code i} (unsigned, inclusive). */
    public long hi(int i) {
        return hi[i];
    }

    /** Binary search: is {@code serial} (unsigned) in one of the ranges? */
    public boolean contains(long serial) {
        int idx = lastStartAtOrBelow(serial);
        return idx >= 0 && Long.compareUnsigned(serial, hi[idx]) <= 0;
    }

    /** Index of the last range whose start is {@code <= serial} (unsigned), or -1. */
    private int lastStartAtOrBelow(long serial) {
        int low = 0;
        int high = lo.length - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (Long.compareUnsigned(lo[mid], serial) <= 0) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    /** Total number of serials, saturating at {@link Long#MAX_VALUE}. */
    public long serialCount() {
        long total = 0;
        for (int i = 0; i < lo.length; i++) {
            long n = hi[i] - lo[i] + 1; // unsigned; 0 means the full 2^64 range
            if (n <= 0 || total + n < total) {
                return Long.MAX_VALUE;
            }
            total += n;
        }
        return total;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SerialRanges other && Arrays.equals(lo, other.lo) && Arrays.equals(hi, other.hi);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(lo) + Arrays.hashCode(hi);
    }

    /** The ranges as {@code ssh-keygen -k} spec lines would write them: {@code 5-10, 12}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < lo.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(Long.toUnsignedString(lo[i]));
            if (lo[i] != hi[i]) {
                sb.append('-').append(Long.toUnsignedString(hi[i]));
            }
            if (sb.length() > 200 && i < lo.length - 1) {
                sb.append(", ... (").append(lo.length).append(" ranges)");
                break;
            }
        }
        return sb.append(']').toString();
    }
}
