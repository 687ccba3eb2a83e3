package dev.keyward.ca.bench;

import java.time.Duration;
import java.util.Arrays;

/**
 * Two operations timed alternately, one after the other on the same thread, so both see the same load from
 * other processes; compared by their median times, so a thread preempted in the middle of an operation does
 * not count. On a shared machine this estimates the ratio of two rates far more steadily than two separate
 * measurements can. The order alternates (a-b, b-a) so neither always runs with the other's caches.
 */
final class Paired {
    /** Median nanoseconds per operation of a and of b, over {@code pairs} pairs. */
    record Result(long medianA, long medianB, int pairs, int threads) {
        /** rate(b) / rate(a) = time(a) / time(b). */
        double rateRatioBToA() {
            return (double) medianA / medianB;
        }
    }

    private static final int MAX_PAIRS_PER_WORKER = 1_000_000;

    private final long[][] a;
    private final long[][] b;
    private final int[] counts;
    private final int threads;

    private Paired(int threads) {
        this.threads = threads;
        this.a = new long[threads][];
        this.b = new long[threads][];
        this.counts = new int[threads];
    }

    /** Runs pairs of (opA, opB) on {@code threads} threads through {@code bench} for up to {@code limit}. */
    static Result measure(Throughput bench, int threads, Duration limit, Throughput.Op opA,
            Throughput.Op opB) {
        Paired p = new Paired(threads);
        long maxPairs = (long) threads * MAX_PAIRS_PER_WORKER;
        bench.measure(threads, limit, maxPairs, (worker, i) -> p.pair(worker, i, opA, opB));
        return p.result();
    }

    private void pair(int worker, long index, Throughput.Op opA, Throughput.Op opB) throws Exception {
        if (a[worker] == null) {
            a[worker] = new long[MAX_PAIRS_PER_WORKER];
            b[worker] = new long[MAX_PAIRS_PER_WORKER];
        }
        int n = counts[worker];
        if (n == MAX_PAIRS_PER_WORKER) {
            return;
        }
        if ((n & 1) == 0) {
            long t0 = System.nanoTime();
            opA.run(worker, index);
            long t1 = System.nanoTime();
            opB.run(worker, index);
            a[worker][n] = t1 - t0;
            b[worker][n] = System.nanoTime() - t1;
        } else {
            long t0 = System.nanoTime();
            opB.run(worker, index);
            long t1 = System.nanoTime();
            opA.run(worker, index);
            b[worker][n] = t1 - t0;
            a[worker][n] = System.nanoTime() - t1;
        }
        counts[worker] = n + 1;
    }

    /** Read after {@link Throughput#measure} returned: its futures order the workers' writes before this. */
    private Result result() {
        int total = Arrays.stream(counts).sum();
        long[] allA = new long[total];
        long[] allB = new long[total];
        int at = 0;
        for (int w = 0; w < threads; w++) {
            System.arraycopy(a[w], 0, allA, at, counts[w]);
            System.arraycopy(b[w], 0, allB, at, counts[w]);
            at += counts[w];
        }
        if (total == 0) {
            throw new IllegalStateException("no pairs were measured");
        }
        Arrays.sort(allA);
        Arrays.sort(allB);
        return new Result(allA[total / 2], allB[total / 2], total, threads);
    }
}
