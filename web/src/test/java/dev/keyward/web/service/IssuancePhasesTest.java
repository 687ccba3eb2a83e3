package dev.keyward.web.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The {@code Server-Timing} value: milliseconds with three decimals, the same text {@code %.3f} gave. */
class IssuancePhasesTest {
    private static String ms(long nanos) {
        return IssuancePhases.ms(new StringBuilder(), nanos).toString();
    }

    @Test
    void millisecondsWithThreeDecimalsRoundedHalfUp() {
        assertEquals("0.000", ms(0));
        assertEquals("0.000", ms(499));
        assertEquals("0.001", ms(500));
        assertEquals("0.010", ms(9_600));
        assertEquals("0.123", ms(123_000));
        assertEquals("1.235", ms(1_234_567));
        assertEquals("12.000", ms(11_999_999));
        assertEquals("1000.001", ms(1_000_001_000L));
        assertEquals("0.000", ms(-5_000_000), "a negative span (clocks of two threads) shows as 0");
        for (long n : new long[] {1, 999, 1_000, 45_500, 987_654_321L, 3_000_000_499L}) {
            assertEquals(String.format(java.util.Locale.ROOT, "%.3f", Math.round(n / 1000.0) / 1000.0), ms(n),
                    "as %.3f of " + n + " ns");
        }
    }

    @Test
    void eachPhaseFromTheBatchInstants() {
        IssuancePhases p = new IssuancePhases();
        assertEquals("app;dur=2.500", p.serverTiming(1_000_000, 3_500_000), "a request that never reached a batch");
        p.enqueued = 1_100_000;
        p.batchStart = 1_300_000;
        p.preludeDone = 1_700_000;
        p.signed = 2_000_000;
        p.written = 2_250_000;
        p.committed = 3_000_000;
        p.batchSize = 7;
        assertEquals("pre;dur=0.100, queue;dur=0.200, db;dur=0.400, sign;dur=0.300, write;dur=0.250,"
                + " commit;dur=0.750, post;dur=0.500, app;dur=2.500, batch;desc=7",
                p.serverTiming(1_000_000, 3_500_000));
    }
}
