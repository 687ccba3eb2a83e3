package dev.keyward.ca.krl;

import java.util.Arrays;

/** A growable {@code long[]}: collects serials without boxing. */
final class LongList {
    private long[] values = new long[16];
    private int size;

    void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    void addAll(long[] vs, int off, int n) {
        if (values.length - size < n) {
            values = Arrays.copyOf(values, Math.max(values.length * 2, size + n));
        }
        System.arraycopy(vs, off, values, size, n);
        size += n;
    }

    int size() {
        return size;
    }

    long get(int i) {
        return values[i];
    }

    /** The backing array (valid up to {@link #size()}); not a copy. */
    long[] array() {
        return values;
    }
}
