package dev.keyward.ca.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The documented example policy (package-info.java, docs/operator-guide.md) loads and behaves as documented, and every
 * decision it produces is accepted by {@link Certificate.Builder}.
 */
class ExamplePolicyTest {
    /** The example of package-info.java, as a YAML parser hands it over. */
    static Map<String, Object> exampleTree() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("rules", List.of(
                Map.of("name", "admins", "roles", List.of("admin"), "principals", List.of("{{username}}", "root"),
                        "max_ttl", "1h"),
                Map.ofEntries(Map.entry("name", "deployers"), Map.entry("roles", List.of("engineer")),
                        Map.entry("groups", List.of("sre")),
                        Map.entry("principals", List.of("{{username}}", "deploy-*")),
                        Map.entry("default_principals", List.of("{{username}}")), Map.entry("default_ttl", "1h"),
                        Map.entry("max_ttl", "8h"),
                        Map.entry("extensions", List.of("permit-pty", "permit-port-forwarding",
                                "permit-agent-forwarding")),
                        Map.entry("default_extensions", List.of("permit-pty")),
                        Map.entry("key_types", List.of("ed25519", "sk-ed25519", "ecdsa-p256", "rsa")),
                        Map.entry("min_rsa_bits", 3072)),
                Map.of("name", "backup", "groups", List.of("backup-operators"), "principals", List.of("backup"),
                        "max_ttl", "30m", "extensions", List.of(), "critical_options", Map.of("force-command",
                                "/usr/local/bin/backup --pull", "source-address", List.of("10.20.0.0/16", "192.0.2.7"))),
                Map.of("name", "engineers", "roles", List.of("engineer")),
                Map.of("name", "hosts", "roles", List.of("host"), "cert_type", "host", "default_ttl", "7d",
                        "max_ttl", "30d")));
        return tree;
    }

    private final IssuancePolicy policy = IssuancePolicy.fromMap(exampleTree());

    @Test
    void sreEngineerGetsDeployPrincipalsAndOnlyPtyByDefault() {
        Identity bob = new Identity("bob", Set.of("engineer"), Set.of("sre"));
        Decision d = policy.decide(bob, Fixtures.userRequest("bob", "deploy-web"), List.of());
        assertEquals(List.of("bob", "deploy-web"), d.principals());
        assertEquals(Set.of("permit-pty"), d.extensions());
        assertEquals(Duration.ofHours(1), d.ttl());
        assertEquals("rules.deployers.min_rsa_bits", assertThrows(PolicyViolationException.class,
                () -> policy.decide(bob, Fixtures.userRequest(TestKeys.rsa(2048)), List.of())).rule());
    }

    @Test
    void backupOperatorGetsForcedCommandAndSourceAddress() {
        Identity op = new Identity("dave", Set.of(), Set.of("backup-operators"));
        Decision d = policy.decide(op, Fixtures.userRequest(), List.of());
        assertEquals(List.of("backup"), d.principals());
        assertEquals(new TreeMap<>(Map.of("force-command", "/usr/local/bin/backup --pull",
                "source-address", "10.20.0.0/16,192.0.2.7")), d.criticalOptions());
        assertEquals(Duration.ofMinutes(30), d.ttl());
        assertEquals("dave", d.keyId());
        assertEquals(Set.of(), d.extensions(), "a forced command with no pty and no forwarding of any kind");
    }

    @Test
    void plainEngineerFallsThroughToTheEngineersRule() {
        Identity carol = new Identity("carol", Set.of("engineer"), Set.of());
        assertEquals("rules.engineers.principals", assertThrows(PolicyViolationException.class,
                () -> policy.decide(carol, Fixtures.userRequest("deploy-web"), List.of())).rule());
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                Arguments.of(new Identity("alice", Set.of("admin"), Set.of()), Fixtures.userRequest("root"),
                        List.of()),
                Arguments.of(new Identity("bob", Set.of("engineer"), Set.of("sre")), Fixtures.userRequest(),
                        List.of()),
                Arguments.of(new Identity("dave", Set.of(), Set.of("backup-operators")), Fixtures.userRequest(),
                        List.of()),
                Arguments.of(new Identity("carol", Set.of("engineer"), Set.of()),
                        Fixtures.userRequestExtensions(Set.of()), List.of()),
                Arguments.of(new Identity("web1", Set.of("host"), Set.of()), Fixtures.hostRequest(),
                        List.of("web1.example.com", "web1", "192.0.2.10")));
    }

    @ParameterizedTest
    @MethodSource("decisions")
    void everyDecisionBuildsAValidCertificate(Identity who, IssueRequest req, List<String> hostNames) {
        Decision d = policy.decide(who, req, hostNames);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Certificate.Builder b = Certificate.builder().key(req.publicKey()).serial(1).type(req.type())
                .keyId(d.keyId()).principals(d.principals()).validity(now, now.plus(d.ttl()));
        d.criticalOptions().forEach(b::criticalOption);
        d.extensions().forEach(b::extension);
        Certificate c = b.build();
        assertEquals(d.principals(), c.principals());
        assertEquals(d.ttl().getSeconds(), c.validBefore() - c.validAfter());
        assertEquals(req.type() == CertType.HOST ? Map.of() : d.criticalOptions(), c.criticalOptions());
    }

    @Test
    void nullInsideRequestListsIsABadRequest() {
        List<String> withNull = new java.util.ArrayList<>();
        withNull.add(null);
        assertThrows(InvalidInputException.class, () -> new IssueRequest(CertType.USER, TestKeys.ed25519(), withNull,
                null, null));
    }
}
