package dev.keyward.agent.sync;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Per-account work (independent reads, parsing, writes) spread over a few threads, results in input order. */
public final class Parallel {
    private Parallel() {
    }

    /** A function that may fail with an I/O error. */
    public interface IoFunction<A, B> {
        B apply(A a) throws IOException;
    }

    /**
     * Runs {@code f} over {@code items} on a few threads (I/O bound: fsync and small reads), in order. Each thread
     * takes contiguous slices of a few hundred items: one task per item costs a queue hand-off and a wake-up each.
     */
    public static <A, B> List<B> map(List<A> items, IoFunction<A, B> f, int threads) throws IOException {
        if (threads == 1 || items.size() < 64) {
            List<B> out = new ArrayList<>(items.size());
            for (A a : items) {
                out.add(f.apply(a));
            }
            return out;
        }
        int slice = Math.max(16, Math.min(256, items.size() / (threads * 4)));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<B>>> futures = new ArrayList<>();
            for (int from = 0; from < items.size(); from += slice) {
                List<A> part = items.subList(from, Math.min(items.size(), from + slice));
                futures.add(pool.submit(() -> {
                    List<B> out = new ArrayList<>(part.size());
                    for (A a : part) {
                        out.add(f.apply(a));
                    }
                    return out;
                }));
            }
            List<B> out = new ArrayList<>(items.size());
            for (Future<List<B>> fu : futures) {
                out.addAll(fu.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
