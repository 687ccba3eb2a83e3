package dev.keyward.web.config;

import java.time.Duration;
import java.util.Set;

/**
 * The admin console's sessions ({@code console:}).
 *
 * @param sessionIdle {@code console.session_idle} (default 30m, 1m to 1d): a session unused this long ends
 * @param sessionMax  {@code console.session_max} (default 12h, at least session_idle, at most 7d): a session ends
 *                    this long after sign-in however busy it is (then the person signs in again)
 */
public record ConsoleConfig(Duration sessionIdle, Duration sessionMax) {
    static final Set<String> KEYS = Set.of("session_idle", "session_max");
    public static final ConsoleConfig DEFAULTS = new ConsoleConfig(Duration.ofMinutes(30), Duration.ofHours(12));

    public ConsoleConfig {
        if (sessionIdle.compareTo(Duration.ofMinutes(1)) < 0 || sessionIdle.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigException("console.session_idle must be between 1m and 1d, got "
                    + Durations.format(sessionIdle));
        }
        if (sessionMax.compareTo(sessionIdle) < 0 || sessionMax.compareTo(Duration.ofDays(7)) > 0) {
            throw new ConfigException("console.session_max must be at least console.session_idle ("
                    + Durations.format(sessionIdle) + ") and at most 7d, got " + Durations.format(sessionMax));
        }
    }

    static ConsoleConfig parse(ConfigTree console) {
        console.checkKnown(KEYS);
        return new ConsoleConfig(console.duration("session_idle").orElse(DEFAULTS.sessionIdle()),
                console.duration("session_max").orElse(DEFAULTS.sessionMax()));
    }
}
