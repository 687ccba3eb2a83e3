package dev.keyward.ca.policy;

import dev.keyward.ca.Durations;
import dev.keyward.ca.InvalidInputException;
import java.time.Duration;

/**
 * Calculates the lifetime, like Vault's {@code calculateTTL} but without silent clamping: no requested TTL gets
 * the rule's {@code default_ttl}; a requested TTL above {@code max_ttl} is refused, so the caller never gets a
 * shorter certificate than they think. A TTL must be a positive whole number of seconds (certificate validity
 * is in seconds, PROTOCOL.certkeys).
 */
final class TtlCalculator implements PolicyStep {
    @Override
    public void apply(PolicyContext ctx, DecisionDraft draft) {
        PolicyRule rule = ctx.rule();
        Duration requested = ctx.request().ttl();
        if (requested == null) {
            draft.ttl(rule.defaultTtl());
            return;
        }
        if (requested.isNegative() || requested.isZero()) {
            throw new InvalidInputException("requested TTL must be positive, got " + Durations.format(requested));
        }
        if (requested.getNano() != 0) {
            throw new InvalidInputException("requested TTL must be a whole number of seconds");
        }
        if (requested.compareTo(rule.maxTtl()) > 0) {
            throw new PolicyViolationException(rule.rule("max_ttl"), "requested TTL " + Durations.format(requested)
                    + " is longer than the maximum " + Durations.format(rule.maxTtl()) + "; ask for "
                    + Durations.format(rule.maxTtl()) + " or less");
        }
        draft.ttl(requested);
    }
}
