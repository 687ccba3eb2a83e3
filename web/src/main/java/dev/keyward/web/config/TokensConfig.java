package dev.keyward.web.config;

import java.time.Duration;

/**
 * API tokens.
 *
 * @param maxTtl         {@code tokens.max_ttl}: the longest lifetime a token may be given (default 365d)
 * @param bootstrapTtl   {@code tokens.bootstrap_ttl}: lifetime of the bootstrap admin token (default 30d)
 */
public record TokensConfig(Duration maxTtl, Duration bootstrapTtl) {
    public TokensConfig {
        if (bootstrapTtl.compareTo(maxTtl) > 0) {
            throw new ConfigException("tokens.bootstrap_ttl (" + Durations.format(bootstrapTtl)
                    + ") is longer than tokens.max_ttl (" + Durations.format(maxTtl) + ")");
        }
    }
}
