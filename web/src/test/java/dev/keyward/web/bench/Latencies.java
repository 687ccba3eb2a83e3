package dev.keyward.web.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds (one array per worker, merged at the end) and their percentiles. */
final class Latencies {
    private long[] samples = new long[1024];
    private int size;

    void add(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = nanos;
    }

    int size() {
        return size;
    }

    static Latencies merge(Iterable<Latencies> parts) {
        Latencies all = new Latencies();
        for (Latencies p : parts) {
            for (int i = 0; i < p.size; i++) {
                all.add(p.samples[i]);
            }
        }
        Arrays.sort(all.samples, 0, all.size);
        return all;
    }

    /** The q-quantile (0..1) in milliseconds, nearest rank; samples must be sorted (see {@link #merge}). */
    double millis(double q) {
        if (size == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * size) - 1;
        return samples[Math.max(0, Math.min(size - 1, rank))] / 1e6;
    }
}
