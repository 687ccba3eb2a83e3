package dev.keyward.ca.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs an operation on a fixed set of threads until a time limit or an operation count is reached, whichever
 * comes first, and reports the rate. The threads live as long as this object, so per-thread state (the
 * {@code ThreadLocal} Signature of {@code JcaSigner}, JIT-compiled code) built during warm-up carries over into
 * the measurement.
 */
final class Throughput implements AutoCloseable {
    /** One operation; {@code worker} is 0..threads-1, {@code index} counts operations across all workers. */
    @FunctionalInterface
    interface Op {
        void run(int worker, long index) throws Exception;
    }

    /**
     * {@code ops} operations by {@code threads} threads in {@code nanos} of wall-clock time, during which this
     * JVM used {@code cpuNanos} of CPU time (all its threads: workers, GC, JIT; SoftHSM2 runs inside the worker
     * threads). CPU time per operation hardly depends on what other processes do, wall-clock rates do.
     */
    record Rate(long ops, long nanos, long cpuNanos, int threads) {
        double perSecond() {
            return nanos == 0 ? 0 : ops * 1e9 / nanos;
        }

        /** Microseconds of this JVM's CPU time per operation. */
        double cpuMicrosPerOp() {
            return ops == 0 ? 0 : cpuNanos / 1e3 / ops;
        }

        static Rate better(Rate a, Rate b) {
            return a == null || b.perSecond() > a.perSecond() ? b : a;
        }
    }

    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final int maxThreads;
    private final ExecutorService pool;

    Throughput(int maxThreads) {
        this.maxThreads = maxThreads;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(maxThreads, r -> {
            Thread t = new Thread(r, "bench-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code op} on {@code threads} threads for at most {@code limit} and at most {@code maxOps} operations
     * in total. An exception from any operation fails the measurement: a benchmark must not time a broken path.
     */
    Rate measure(int threads, Duration limit, long maxOps, Op op) {
        if (threads < 1 || threads > maxThreads) {
            throw new IllegalArgumentException("threads must be 1.." + maxThreads);
        }
        AtomicLong next = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1]; // written before go.countDown(), which orders it before the workers' reads
        List<Future<Long>> done = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            done.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                long end = deadline[0];
                long count = 0;
                while (System.nanoTime() < end) {
                    long i = next.getAndIncrement();
                    if (i >= maxOps) {
                        break;
                    }
                    op.run(worker, i);
                    count++;
                }
                return count;
            }));
        }
        try {
            ready.await();
            long cpu0 = CPU.getProcessCpuTime();
            long t0 = System.nanoTime();
            deadline[0] = t0 + limit.toNanos();
            go.countDown();
            long ops = 0;
            for (Future<Long> f : done) {
                ops += f.get();
            }
            long t1 = System.nanoTime();
            return new Rate(ops, t1 - t0, CPU.getProcessCpuTime() - cpu0, threads);
        } catch (ExecutionException e) {
            done.forEach(f -> f.cancel(true));
            throw new IllegalStateException("benchmark operation failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            done.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
