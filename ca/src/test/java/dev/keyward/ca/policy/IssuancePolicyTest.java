package dev.keyward.ca.policy;

import static dev.keyward.ca.policy.Fixtures.engineer;
import static dev.keyward.ca.policy.Fixtures.hostRequest;
import static dev.keyward.ca.policy.Fixtures.policy;
import static dev.keyward.ca.policy.Fixtures.ruleMap;
import static dev.keyward.ca.policy.Fixtures.userRequest;
import static dev.keyward.ca.policy.Fixtures.withRoles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertOptions;
import dev.keyward.ca.cert.CertType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IssuancePolicyTest {
    private static final List<String> WEB1 = List.of("web1.example.com", "web1");

    @Nested
    class Defaults {
        private final IssuancePolicy policy = IssuancePolicy.defaults();

        @ParameterizedTest
        @ValueSource(strings = {"engineer", "admin"})
        void engineersAndAdminsGetTheirOwnUsernameForOneHour(String role) {
            Decision d = policy.decide(withRoles("alice", role), userRequest(), List.of());
            assertEquals(List.of("alice"), d.principals());
            assertEquals(Duration.ofHours(1), d.ttl());
            assertEquals("alice", d.keyId());
            assertEquals(Map.of(), d.criticalOptions());
            assertEquals(new TreeSet<>(CertOptions.DEFAULT_USER_EXTENSIONS), d.extensions());
        }

        @Test
        void engineersMayAskForUpToEightHours() {
            Decision d = policy.decide(engineer("alice"), Fixtures.userRequestTtl(Duration.ofHours(8)), List.of());
            assertEquals(Duration.ofHours(8), d.ttl());
            var e = assertThrows(PolicyViolationException.class, () -> policy.decide(engineer("alice"),
                    Fixtures.userRequestTtl(Duration.ofHours(9)), List.of()));
            assertEquals("default.user.max_ttl", e.rule());
        }

        @Test
        void engineersMayNotAskForAnotherPrincipal() {
            var e = assertThrows(PolicyViolationException.class,
                    () -> policy.decide(engineer("alice"), userRequest("alice", "root"), List.of()));
            assertEquals("default.user.principals", e.rule());
            assertTrue(e.getMessage().contains("'root'"), e.getMessage());
        }

        @Test
        void auditorsGetNothing() {
            var e = assertThrows(PolicyViolationException.class,
                    () -> policy.decide(withRoles("carol", "auditor"), userRequest(), List.of()));
            assertEquals("policy.no_rule", e.rule());
            assertEquals("policy rule policy.no_rule: no rule gives user certificates to roles [auditor] and groups"
                    + " []; ask an administrator for a role or group that has one", e.getMessage());
        }

        @Test
        void hostsGetTheirRegisteredNamesForSevenDaysUpToThirty() {
            Identity host = withRoles("web1", "host");
            Decision d = policy.decide(host, hostRequest(), WEB1);
            assertEquals(WEB1, d.principals());
            assertEquals(Duration.ofDays(7), d.ttl());
            assertEquals("web1", d.keyId());
            assertTrue(d.criticalOptions().isEmpty());
            assertTrue(d.extensions().isEmpty());
            var e = assertThrows(PolicyViolationException.class, () -> policy.decide(host,
                    new IssueRequest(CertType.HOST, TestKeys.ed25519(), List.of(), Duration.ofDays(31), null), WEB1));
            assertEquals("default.host.max_ttl", e.rule());
        }

        @Test
        void hostsGetOnlyRegisteredNames() {
            var e = assertThrows(PolicyViolationException.class,
                    () -> policy.decide(withRoles("web1", "host"), hostRequest("db1"), WEB1));
            assertEquals("host.registered_names", e.rule());
        }

        @Test
        void engineersGetNoHostCertificatesAndHostsNoUserCertificates() {
            assertEquals("policy.no_rule", assertThrows(PolicyViolationException.class,
                    () -> policy.decide(engineer("alice"), hostRequest(), WEB1)).rule());
            assertEquals("policy.no_rule", assertThrows(PolicyViolationException.class,
                    () -> policy.decide(withRoles("web1", "host"), userRequest(), List.of())).rule());
        }

        @Test
        void hostNamesAreIgnoredForUserCertificates() {
            var e = assertThrows(PolicyViolationException.class,
                    () -> policy.decide(engineer("alice"), userRequest("root"), List.of("root")));
            assertEquals("default.user.principals", e.rule());
        }

        @Test
        void fromMapWithoutRulesIsTheDefaults() {
            assertEquals(policy.rules(), IssuancePolicy.fromMap(null).rules());
            assertEquals(policy.rules(), IssuancePolicy.fromMap(Map.of()).rules());
        }
    }

    @Nested
    class FirstMatch {
        private final IssuancePolicy policy = policy(
                ruleMap("name", "hosts", "roles", List.of("host"), "cert_type", "host"),
                ruleMap("name", "admins", "roles", List.of("admin"), "principals", List.of("{{username}}", "root"),
                        "max_ttl", "1h"),
                ruleMap("name", "sre", "roles", List.of("engineer"), "groups", List.of("sre"),
                        "principals", List.of("{{username}}", "deploy-*"), "max_ttl", "4h"),
                ruleMap("name", "engineers", "roles", List.of("engineer")));

        @Test
        void earlierRuleDecidesEvenWhenALaterOneWouldAllowMore() {
            Identity both = withRoles("alice", "admin", "engineer");
            var e = assertThrows(PolicyViolationException.class,
                    () -> policy.decide(both, Fixtures.userRequestTtl(Duration.ofHours(2)), List.of()));
            assertEquals("rules.admins.max_ttl", e.rule());
            assertEquals(List.of("root"), policy.decide(both, userRequest("root"), List.of()).principals());
        }

        @Test
        void ruleForAnotherCertTypeIsSkipped() {
            Identity hostAndEngineer = withRoles("alice", "host", "engineer");
            assertEquals(List.of("alice"), policy.decide(hostAndEngineer, userRequest(), List.of()).principals());
        }

        @Test
        void rolesAndGroupsMustBothMatchWhenBothAreListed() {
            Identity sre = new Identity("bob", Set.of("engineer"), Set.of("sre"));
            assertEquals(List.of("deploy-web"), policy.decide(sre, userRequest("deploy-web"), List.of()).principals());

            Identity plain = new Identity("bob", Set.of("engineer"), Set.of("SRE"));
            var e = assertThrows(PolicyViolationException.class,
                    () -> policy.decide(plain, userRequest("deploy-web"), List.of()));
            assertEquals("rules.engineers.principals", e.rule(), "groups compare case-sensitively");

            Identity groupOnly = new Identity("bob", Set.of(), Set.of("sre"));
            assertEquals("policy.no_rule", assertThrows(PolicyViolationException.class,
                    () -> policy.decide(groupOnly, userRequest(), List.of())).rule());
        }

        @Test
        void configuredRulesReplaceTheDefaults() {
            IssuancePolicy groupsOnly = policy(ruleMap("name", "oncall", "roles", null, "groups", List.of("oncall")));
            assertEquals("policy.no_rule", assertThrows(PolicyViolationException.class,
                    () -> groupsOnly.decide(engineer("alice"), userRequest(), List.of())).rule());
            Identity oncall = new Identity("alice", Set.of(), Set.of("oncall"));
            assertEquals(List.of("alice"), groupsOnly.decide(oncall, userRequest(), List.of()).principals());
        }
    }

    @Nested
    class ForcedOptionsAndOrder {
        private final IssuancePolicy policy = policy(ruleMap("name", "backup", "principals", List.of("backup"),
                "critical_options", Map.of("force-command", "/usr/bin/backup", "source-address", "10.1.0.0/16"),
                "extensions", List.of("permit-pty"), "key_types", List.of("ed25519", "sk-ed25519")));

        @Test
        void forcedOptionsAreAlwaysAppliedAndCannotBeSmuggledInAsExtensions() {
            Decision d = policy.decide(engineer("alice"), userRequest(), List.of());
            assertEquals(List.of("backup"), d.principals());
            assertEquals(new TreeMap<>(Map.of("force-command", "/usr/bin/backup", "source-address", "10.1.0.0/16")),
                    d.criticalOptions());
            Decision none = policy.decide(engineer("alice"), Fixtures.userRequestExtensions(Set.of()), List.of());
            assertEquals(d.criticalOptions(), none.criticalOptions());
            var e = assertThrows(PolicyViolationException.class, () -> policy.decide(engineer("alice"),
                    Fixtures.userRequestExtensions(Set.of("force-command")), List.of()));
            assertEquals("rules.backup.extensions", e.rule());
        }

        @Test
        void stepsRunInTheDocumentedOrder() {
            assertEquals(List.of(KeyTypeValidator.class, RsaSizeValidator.class, PrincipalsCalculator.class,
                    TtlCalculator.class, ExtensionsCalculator.class, CriticalOptionsModifier.class,
                    KeyIdCalculator.class), IssuancePolicy.STEPS.stream().map(Object::getClass).toList());
            // A request breaking several rules is refused by the first step: the key type.
            IssueRequest everythingWrong = new IssueRequest(CertType.USER, TestKeys.rsa(1024), List.of("root"),
                    Duration.ofDays(2), "someone-else", Set.of("permit-X11-forwarding"));
            assertEquals("rules.backup.key_types", assertThrows(PolicyViolationException.class,
                    () -> policy.decide(engineer("alice"), everythingWrong, List.of())).rule());
        }

        @Test
        void decisionIsImmutable() {
            Decision d = policy.decide(engineer("alice"), userRequest(), List.of());
            assertThrows(UnsupportedOperationException.class, () -> d.principals().add("root"));
            assertThrows(UnsupportedOperationException.class, () -> d.extensions().add("permit-user-rc"));
            assertThrows(UnsupportedOperationException.class, () -> d.criticalOptions().clear());
        }
    }

    @Test
    void identityStoresRolesLowerCase() {
        Identity who = new Identity("alice", Set.of("Engineer", "ADMIN"), Set.of("SRE"));
        assertEquals(Set.of("engineer", "admin"), who.roles());
        assertEquals(Set.of("SRE"), who.groups());
    }

    @Test
    void requestWithNullPrincipalsMeansDefaults() {
        IssueRequest req = new IssueRequest(CertType.USER, TestKeys.ed25519(), null, null, null);
        assertEquals(List.of(), req.principals());
        assertEquals(null, req.extensions());
        assertEquals(List.of("alice"), IssuancePolicy.defaults().decide(engineer("alice"), req, null).principals());
    }

    @Test
    void toStringListsRulesForTheStartupLog() {
        assertEquals("IssuancePolicy[default.user(user roles=[admin, engineer] groups=[]),"
                + " default.host(host roles=[host] groups=[])]", IssuancePolicy.defaults().toString());
    }
}
