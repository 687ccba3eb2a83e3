package dev.keyward.ca.policy;

import dev.keyward.ca.InvalidInputException;
import java.util.Objects;

/**
 * A certificate request that is well-formed but outside the issuance policy. Servers render it as 403.
 *
 * <p>{@link #rule()} names the rule that was broken as a dotted path: {@code rules.<name>.<key>} for a rule
 * from the {@code policy.rules} list of the configuration ({@code rules.engineers.max_ttl}),
 * {@code default.user.<key>} or {@code default.host.<key>} for the built-in defaults,
 * {@code host.registered_names} for a host-certificate principal that is not one of the host's registered
 * names, and {@code policy.no_rule} when no rule matches the caller at all. The message starts with the rule and
 * says what to do instead. Callers branch on the type and {@link #rule()}, never on the message.
 */
public class PolicyViolationException extends InvalidInputException {
    private final String rule;

    public PolicyViolationException(String rule, String problem) {
        super("policy rule " + Objects.requireNonNull(rule) + ": " + Objects.requireNonNull(problem));
        this.rule = rule;
    }

    /** The dotted name of the broken rule, e.g. {@code rules.engineers.max_ttl}. */
    public String rule() {
        return rule;
    }
}
