package dev.keyward.ca.cert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidityTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void absoluteTimesAreUtcAndNotBackdated() {
        Validity v = Validity.parse("20240229000000:20241231235959", NOW, Validity.DEFAULT_BACKDATE);
        assertEquals(Instant.parse("2024-02-29T00:00:00Z").getEpochSecond(), v.after());
        assertEquals(Instant.parse("2024-12-31T23:59:59Z").getEpochSecond(), v.before());
    }

    @Test
    void relativeValidityIsBackdated() {
        Validity v = Validity.parse("+1h", NOW, Duration.ofMinutes(2));
        assertEquals(NOW.minusSeconds(120).getEpochSecond(), v.after());
        assertEquals(NOW.plusSeconds(3600).getEpochSecond(), v.before());
    }

    /** Times that do not exist are refused, not moved to another day (SMART resolving turned 02-30 into 03-02). */
    @ParameterizedTest
    @ValueSource(strings = {"20230230000000", "20231131120000", "20230101240000", "20230229000000", "20230100000000",
            "20231301000000", "20230101126000", "20230101120060", "20230101000000x", "2023010100000"})
    void timesThatDoNotExistAreRefused(String time) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Validity.parse(time + ":20300101000000", NOW, Validity.DEFAULT_BACKDATE));
        assertTrue(e.getMessage().contains("'" + time + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("YYYYMMDDHHMMSS"), e.getMessage());
        e = assertThrows(InvalidInputException.class,
                () -> Validity.parse("20200101000000:" + time, NOW, Validity.DEFAULT_BACKDATE));
        assertTrue(e.getMessage().contains("'" + time + "'"), e.getMessage());
    }
}
