package dev.keyward.web.http.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.config.HttpLimits;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Token buckets on a hand-driven clock: refill, the wait they report, and the bound on their memory. */
class TokenBucketsTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    private TokenBuckets buckets(int perSecond, int burst, int maxKeys) {
        return new TokenBuckets(new HttpLimits.Rate(perSecond, Duration.ofSeconds(1), burst), maxKeys, clock::get);
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void aBurstIsAllowedThenOneTokenPerIntervalAndTheWaitSaysWhen() {
        TokenBuckets b = buckets(2, 3, 100);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, b.take("a"));
        }
        long wait = b.take("a");
        assertTrue(wait > 0 && wait <= 500_000_000L, "wait " + wait);
        assertEquals(0, b.take("b"), "another key has its own bucket");
        advance(Duration.ofMillis(500));
        assertEquals(0, b.take("a"));
        assertTrue(b.take("a") > 0);
        assertTrue(b.peek("a") > 0);
        advance(Duration.ofSeconds(10));
        assertEquals(0, b.peek("a"));
        for (int i = 0; i < 3; i++) {
            assertEquals(0, b.take("a"), "refilled to the burst, not beyond");
        }
        assertTrue(b.take("a") > 0);
    }

    @Test
    void aFloodOfNewKeysNeverGrowsTheTableAndSharesOneBucketWhileTrackedKeysKeepTheirs() {
        TokenBuckets b = buckets(1, 2, 1000);
        assertEquals(0, b.take("tracked"));
        assertEquals(0, b.take("tracked"));
        assertTrue(b.take("tracked") > 0);
        int refusedNewcomers = 0;
        for (int i = 0; i < 100_000; i++) {
            if (b.take("10.0." + (i >> 8) + "." + (i & 255)) > 0) {
                refusedNewcomers++;
            }
            if (i % 10_000 == 0) {
                advance(Duration.ofMillis(1)); // far less than the time a bucket needs to refill
            }
        }
        assertTrue(b.size() <= 1000, "table size " + b.size());
        assertTrue(refusedNewcomers >= 100_000 - 1000 - 10, "the overflow bucket let " + (100_000 - refusedNewcomers)
                + " through");
        assertTrue(b.take("tracked") > 0, "a tracked key is still limited, not reset by the flood");
    }

    @Test
    void idleBucketsThatRefilledAreDropped() {
        TokenBuckets b = buckets(10, 5, 1000);
        for (int i = 0; i < 500; i++) {
            b.take("k" + i);
        }
        assertEquals(500, b.size());
        advance(Duration.ofMinutes(2));
        b.take("new");
        assertEquals(1, b.size(), "every refilled bucket is the same as none");
    }
}
