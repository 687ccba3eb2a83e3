package dev.keyward.web.bench;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends at a fixed rate regardless of how fast answers come (open loop): request i is due at start + i/rate, a
 * pool of keep-alive connections sends it, and its latency runs from when it was due, so a stalled server shows up
 * as latency instead of as fewer requests. Bounded: {@code total} requests, and a request still unsent
 * {@link #GIVE_UP_NANOS} after it was due is reported as not sent instead.
 */
final class OpenLoop {
    /** A request still unsent this long after it was due is given up (reported with latency -1). */
    static final long GIVE_UP_NANOS = 5_000_000_000L;
    /** How long the workers may take after the last request was due. */
    private static final long DRAIN_SECONDS = 120;

    private OpenLoop() {
    }

    /** Sends request {@code i} on {@code c}; true when the answer was the expected one. */
    @FunctionalInterface
    interface Request {
        boolean send(long i, MiniHttp c) throws IOException;
    }

    /**
     * Called on the worker's thread once per request: {@code latencyNanos} from when it was due, or -1 when it was
     * given up unsent; {@code ok} false also when the connection failed.
     */
    @FunctionalInterface
    interface Outcome {
        void done(int worker, long i, long latencyNanos, boolean ok);
    }

    /** Runs {@code total} requests at {@code perSecond}; returns the nanoseconds from the first due time to the end. */
    static long run(String host, int port, int workers, int perSecond, long total, Request request, Outcome outcome)
            throws InterruptedException {
        long interval = 1_000_000_000L / perSecond;
        BlockingQueue<Long> due = new LinkedBlockingQueue<>();
        long start = System.nanoTime() + 50_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        for (int w = 0; w < workers; w++) {
            int id = w;
            pool.submit(() -> {
                try (MiniHttp c = new MiniHttp(host, port)) {
                    for (Long at = due.take(); at >= 0; at = due.take()) {
                        long dueAt = start + at * interval;
                        if (System.nanoTime() - dueAt > GIVE_UP_NANOS) {
                            outcome.done(id, at, -1, false); // the server is far behind; keep the run bounded
                            continue;
                        }
                        boolean ok;
                        try {
                            ok = request.send(at, c);
                        } catch (IOException e) {
                            ok = false;
                        }
                        outcome.done(id, at, System.nanoTime() - dueAt, ok);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
        }
        try {
            for (long i = 0; i < total; i++) {
                long wait = start + i * interval - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                due.add(i);
            }
        } finally {
            for (int w = 0; w < workers; w++) {
                due.add(-1L);
            }
            pool.shutdown();
        }
        if (!pool.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            throw new IllegalStateException("open-loop requests did not finish within " + DRAIN_SECONDS + " s");
        }
        return System.nanoTime() - start;
    }
}
