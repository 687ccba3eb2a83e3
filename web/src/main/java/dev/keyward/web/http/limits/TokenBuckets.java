package dev.keyward.web.http.limits;

import dev.keyward.web.config.HttpLimits;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One token bucket per key (a caller, a client address): {@link HttpLimits.Rate#count()} tokens per
 * {@link HttpLimits.Rate#per()}, at most {@link HttpLimits.Rate#burst()} saved up; a request takes one.
 *
 * <p>Memory is bounded: a bucket that has refilled to its burst is the same as no bucket, so such buckets are
 * dropped (every minute, and whenever the table is full). When {@code maxKeys} buckets are all in use, keys without
 * a bucket share one overflow bucket: a flood of new addresses or tokens is throttled as one client and cannot grow
 * the table, and the keys already tracked keep their own buckets.
 */
public final class TokenBuckets {
    /** Buckets per limit: about 120 bytes each, so a few MB at most. */
    public static final int DEFAULT_MAX_KEYS = 50_000;
    private static final long SWEEP_INTERVAL_NANOS = 60_000_000_000L;
    /** While the table is full, how often a sweep may run: one sweep walks every bucket. */
    private static final long FULL_SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    private final double tokensPerNano;
    private final double burst;
    private final long refillNanos;
    private final int maxKeys;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Bucket overflow;
    private final AtomicLong lastSweep;

    public TokenBuckets(HttpLimits.Rate rate, int maxKeys, LongSupplier nanoClock) {
        if (rate.isOff()) {
            throw new IllegalArgumentException("a rate that is off needs no buckets");
        }
        this.tokensPerNano = rate.count() / (double) rate.per().toNanos();
        this.burst = rate.burst();
        this.refillNanos = (long) Math.ceil(burst / tokensPerNano);
        this.maxKeys = maxKeys;
        this.nanoClock = nanoClock;
        long now = nanoClock.getAsLong();
        this.overflow = new Bucket(burst, now);
        this.lastSweep = new AtomicLong(now);
    }

    /**
     * Takes a token from {@code key}'s bucket.
     *
     * @return 0 when the request may go ahead, else the nanoseconds until a token is there (nothing is taken)
     */
    public long take(String key) {
        long now = nanoClock.getAsLong();
        return bucket(key, now).take(now, true);
    }

    /** Like {@link #take} but takes nothing: whether {@code key} has a token left. */
    public long peek(String key) {
        long now = nanoClock.getAsLong();
        Bucket b = buckets.get(key);
        return b == null ? 0 : b.take(now, false);
    }

    /** How many keys have a bucket now (for tests and metrics). */
    public int size() {
        return buckets.size();
    }

    private Bucket bucket(String key, long now) {
        Bucket b = buckets.get(key);
        if (b != null) {
            return b;
        }
        long last = lastSweep.get();
        long since = now - last;
        boolean due = since >= SWEEP_INTERVAL_NANOS || (buckets.size() >= maxKeys && since >= FULL_SWEEP_INTERVAL_NANOS);
        if (due && lastSweep.compareAndSet(last, now)) {
            // one sweep at a time, at most once a second under a flood of new keys (not once per request)
            buckets.values().removeIf(x -> x.isFull(now));
        }
        if (buckets.size() >= maxKeys) {
            return overflow;
        }
        return buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    }

    private final class Bucket {
        private double tokens;
        private long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }

        synchronized long take(long now, boolean consume) {
            refill(now);
            if (tokens >= 1) {
                if (consume) {
                    tokens -= 1;
                }
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano));
        }

        synchronized boolean isFull(long now) {
            return now - updated >= refillNanos || (refill(now) >= burst);
        }

        private double refill(long now) {
            long elapsed = now - updated;
            if (elapsed > 0) {
                tokens = Math.min(burst, tokens + elapsed * tokensPerNano);
                updated = now;
            }
            return tokens;
        }
    }
}
