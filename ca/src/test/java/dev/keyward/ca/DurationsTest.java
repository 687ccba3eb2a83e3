package dev.keyward.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"90s,90", "30m,1800", "8h,28800", "1d,86400", "2w,1209600", "1h30m,5400", "1d12h,129600",
            "0s,0"})
    void parsesUnits(String text, long seconds) {
        assertEquals(Duration.ofSeconds(seconds), Durations.parse(text).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"9x", "8", "h", "", "1.5h", "-1h", "8 h", "1m1h", "1h1h", "PT8H", "1234567h"})
    void refusesAnythingElse(String text) {
        assertTrue(Durations.parse(text).isEmpty(), text);
    }

    @ParameterizedTest
    @CsvSource({"28800,8h", "90,1m30s", "129600,1d12h", "2592000,30d", "0,0s", "1,1s"})
    void formatsLargestUnitFirst(long seconds, String text) {
        assertEquals(text, Durations.format(Duration.ofSeconds(seconds)));
    }
}
