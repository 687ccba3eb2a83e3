package dev.keyward.ca.policy;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.key.SshPublicKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builders for identities, requests and rules, so each test states only what it is about. */
final class Fixtures {
    private Fixtures() {
    }

    static Identity engineer(String username) {
        return new Identity(username, Set.of(Identity.ENGINEER), Set.of());
    }

    static Identity withRoles(String username, String... roles) {
        return new Identity(username, Set.of(roles), Set.of());
    }

    static IssueRequest userRequest(String... principals) {
        return new IssueRequest(CertType.USER, TestKeys.ed25519(), List.of(principals), null, null);
    }

    static IssueRequest userRequest(SshPublicKey key) {
        return new IssueRequest(CertType.USER, key, List.of(), null, null);
    }

    static IssueRequest userRequestTtl(Duration ttl) {
        return new IssueRequest(CertType.USER, TestKeys.ed25519(), List.of(), ttl, null);
    }

    static IssueRequest userRequestExtensions(Set<String> extensions) {
        return new IssueRequest(CertType.USER, TestKeys.ed25519(), List.of(), null, null, extensions);
    }

    static IssueRequest userRequestKeyId(String keyId) {
        return new IssueRequest(CertType.USER, TestKeys.ed25519(), List.of(), null, keyId);
    }

    static IssueRequest hostRequest(String... principals) {
        return new IssueRequest(CertType.HOST, TestKeys.ed25519(), List.of(principals), null, null);
    }

    /**
     * A rule map named "r" for engineers; {@code keyValues} adds or overrides keys (a null value removes one).
     */
    static Map<String, Object> ruleMap(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "r");
        m.put("roles", List.of("engineer"));
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                m.remove((String) keyValues[i]);
            } else {
                m.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return m;
    }

    /** A validated rule, loaded the way the configuration is. */
    static PolicyRule rule(Object... keyValues) {
        return PolicyLoader.rule(ruleMap(keyValues), "policy.rules[0]");
    }

    static PolicyContext ctx(PolicyRule rule, Identity who, IssueRequest req) {
        return new PolicyContext(who, req, List.of(), rule);
    }

    static PolicyContext hostCtx(PolicyRule rule, IssueRequest req, List<String> hostNames) {
        return new PolicyContext(new Identity("web1", Set.of(Identity.HOST), Set.of()), req, hostNames, rule);
    }

    /** A policy with the given rule maps, in order. */
    static IssuancePolicy policy(Map<?, ?>... rules) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("rules", List.of(rules));
        return IssuancePolicy.fromMap(tree);
    }
}
