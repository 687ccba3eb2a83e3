package dev.keyward.web.config;

import java.time.Duration;

/**
 * KRL serving.
 *
 * @param versionCheckInterval {@code krl.version_check_interval}: how long a server node trusts its cached KRL
 *                             version before asking the database again (default 1s). Revocations made
 *                             through this node are visible at once; those made through another node within
 *                             this interval.
 */
public record KrlConfig(Duration versionCheckInterval) {
    public KrlConfig {
        if (versionCheckInterval.isNegative() || versionCheckInterval.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigException("krl.version_check_interval must be between 0s and 5m, got "
                    + Durations.format(versionCheckInterval));
        }
    }
}
