package dev.keyward.ca.policy;

import static dev.keyward.ca.policy.Fixtures.ctx;
import static dev.keyward.ca.policy.Fixtures.engineer;
import static dev.keyward.ca.policy.Fixtures.rule;
import static dev.keyward.ca.policy.Fixtures.userRequestTtl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TtlCalculatorTest {
    private final TtlCalculator calc = new TtlCalculator();

    private Duration run(PolicyRule rule, Duration requested) {
        DecisionDraft d = new DecisionDraft();
        calc.apply(ctx(rule, engineer("alice"), userRequestTtl(requested)), d);
        return d.ttl();
    }

    @Test
    void noRequestedTtlGetsTheRuleDefault() {
        assertEquals(Duration.ofHours(1), run(rule(), null));
        assertEquals(Duration.ofMinutes(30), run(rule("default_ttl", "30m", "max_ttl", "2h"), null));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 60, 3600, 8 * 3600})
    void requestedTtlUpToTheMaximumIsKept(long seconds) {
        assertEquals(Duration.ofSeconds(seconds), run(rule(), Duration.ofSeconds(seconds)));
    }

    @Test
    void requestedTtlAboveTheMaximumIsRefusedNotClamped() {
        var e = assertThrows(PolicyViolationException.class, () -> run(rule(), Duration.ofHours(8).plusSeconds(1)));
        assertEquals("rules.r.max_ttl", e.rule());
        assertEquals("policy rule rules.r.max_ttl: requested TTL 8h1s is longer than the maximum 8h; ask for 8h or"
                + " less", e.getMessage());
    }

    @Test
    void configuredMaximumApplies() {
        PolicyRule r = rule("max_ttl", "1d");
        assertEquals(Duration.ofDays(1), run(r, Duration.ofDays(1)));
        var e = assertThrows(PolicyViolationException.class, () -> run(r, Duration.ofDays(2)));
        assertTrue(e.getMessage().contains("maximum 1d"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -3600})
    void zeroOrNegativeTtlIsABadRequest(long seconds) {
        var e = assertThrows(InvalidInputException.class, () -> run(rule(), Duration.ofSeconds(seconds)));
        assertFalse(e instanceof PolicyViolationException);
        assertTrue(e.getMessage().contains("must be positive"), e.getMessage());
    }

    @Test
    void fractionalSecondsAreABadRequest() {
        var e = assertThrows(InvalidInputException.class, () -> run(rule(), Duration.ofMillis(1500)));
        assertFalse(e instanceof PolicyViolationException);
        assertTrue(e.getMessage().contains("whole number of seconds"), e.getMessage());
    }
}
