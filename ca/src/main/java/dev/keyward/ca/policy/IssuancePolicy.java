package dev.keyward.ca.policy;

import dev.keyward.ca.cert.CertType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Who may get which certificate: the {@code policy:} section of the configuration, loaded and validated once,
 * then asked once per request through {@link #decide}.
 *
 * <h2>Semantics</h2>
 * <ul>
 * <li><b>First match wins.</b> Rules are tried in configuration order; the first rule whose {@code cert_type}
 * is the requested type and whose match fits the caller decides everything. Later rules never widen or narrow
 * it, so put specific rules (admins) before general ones (engineers). A rule matches when the caller holds any
 * of its {@code roles} (if it lists roles) <em>and</em> is in any of its {@code groups} (if it lists groups).
 * No matching rule: {@link PolicyViolationException} with rule {@code policy.no_rule}.</li>
 * <li><b>Fixed order of steps</b> ({@link #STEPS}): key type, RSA size, principals, TTL, extensions, forced
 * critical options, key ID. The first step that objects decides the error.</li>
 * <li><b>Nothing is silently adjusted.</b> A TTL above {@code max_ttl}, a principal or extension the rule does
 * not allow, or a key ID on a rule that sets its own, is refused with the rule's name; the caller then asks
 * again within the limits.</li>
 * <li><b>Host certificates</b> carry only the host's registered names (passed to {@link #decide}); an empty
 * request gets all of them; a host without registered names gets nothing. They have no extensions and no
 * critical options.</li>
 * <li><b>Defaults</b> (no {@code policy.rules} configured): admins and engineers get user certificates for
 * exactly their own username, 1 h by default and 8 h at most, with OpenSSH's default extensions; the host role
 * gets host certificates for its registered names, 7 d by default and 30 d at most; auditors get nothing. A
 * configured rule that leaves out a key gets the same default (principals {@code [{{username}}]}, key ID
 * {@code {{username}}}, all key types, RSA from 2048 bits, user requests may not choose the key ID).</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class IssuancePolicy {
    /** The steps, in the order they run. */
    static final List<PolicyStep> STEPS = List.of(
            new KeyTypeValidator(),
            new RsaSizeValidator(),
            new PrincipalsCalculator(),
            new TtlCalculator(),
            new ExtensionsCalculator(),
            new CriticalOptionsModifier(),
            new KeyIdCalculator());

    private final List<PolicyRule> rules;

    private IssuancePolicy(List<PolicyRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The built-in policy, used when the configuration has no {@code policy.rules}. */
    public static IssuancePolicy defaults() {
        return new IssuancePolicy(DefaultRules.rules());
    }

    /**
     * Loads and validates the {@code policy:} subtree of the configuration (Maps, Lists, Strings, Numbers and
     * Booleans as a YAML parser produces them). Null, an empty map or a map without {@code rules} gives
     * {@link #defaults()}; configured rules replace the defaults entirely.
     *
     * @throws dev.keyward.ca.InvalidInputException naming the key path and the fix, e.g.
     *         {@code policy.rules[1].max_ttl: "9x" is not a duration (use 30m, 8h, 1d)}
     */
    public static IssuancePolicy fromMap(Map<String, Object> policyTree) {
        return new IssuancePolicy(PolicyLoader.load(policyTree));
    }

    /**
     * Decides what certificate {@code who} gets for {@code req}.
     *
     * @param hostNames the host's registered names, for host certificates; ignored (may be null or empty) for
     *                  user certificates
     * @throws PolicyViolationException         if the request is outside the policy (render as 403)
     * @throws dev.keyward.ca.InvalidInputException if the request is malformed (render as 400)
     */
    public Decision decide(Identity who, IssueRequest req, List<String> hostNames) {
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(req, "req");
        PolicyRule rule = matchingRule(who, req.type());
        PolicyContext ctx = new PolicyContext(who, req, req.type() == CertType.HOST ? hostNames : List.of(), rule);
        DecisionDraft draft = new DecisionDraft();
        for (PolicyStep step : STEPS) {
            step.apply(ctx, draft);
        }
        return draft.toDecision();
    }

    PolicyRule matchingRule(Identity who, CertType type) {
        for (PolicyRule rule : rules) {
            if (rule.matches(who, type)) {
                return rule;
            }
        }
        throw new PolicyViolationException("policy.no_rule", "no rule gives " + type.label() + " certificates to "
                + describe(who) + "; ask an administrator for a role or group that has one");
    }

    private static String describe(Identity who) {
        return "roles [" + String.join(", ", new TreeSet<>(who.roles())) + "] and groups ["
                + String.join(", ", new TreeSet<>(who.groups())) + "]";
    }

    /**
     * The longest TTL any rule allows for {@code type} certificates to a caller holding {@code role}, whatever its
     * groups (a rule listing roles must list it; a rule matching on groups alone may apply to anyone); with no role
     * (an OIDC caller, whose roles came from groups that are not recorded), any rule of the type. Empty if no rule
     * gives such certificates. A certificate living longer was issued under an earlier, wider policy.
     */
    public Optional<Duration> longestTtl(CertType type, Optional<String> role) {
        return rules.stream()
                .filter(r -> r.certType() == type)
                .filter(r -> role.isEmpty() || r.roles().isEmpty() || r.roles().contains(role.get()))
                .map(PolicyRule::maxTtl)
                .max(Duration::compareTo);
    }

    List<PolicyRule> rules() {
        return rules;
    }

    /** The rule names in order, with what they match, for the start-up log. */
    @Override
    public String toString() {
        return rules.stream().map(r -> r.path() + "(" + r.certType().label() + " roles=" + new TreeSet<>(r.roles())
                + " groups=" + new TreeSet<>(r.groups()) + ")").collect(Collectors.joining(", ", "IssuancePolicy[",
                "]"));
    }
}
