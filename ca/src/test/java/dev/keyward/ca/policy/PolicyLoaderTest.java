package dev.keyward.ca.policy;

import static dev.keyward.ca.policy.Fixtures.ruleMap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.key.KeyType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code IssuancePolicy.fromMap}: every key is validated at load, with the key path and the fix. */
class PolicyLoaderTest {
    private static Map<String, Object> tree(Object rules) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("rules", rules);
        return t;
    }

    private static Arguments bad(Map<String, Object> rule, String message) {
        return Arguments.of(tree(List.of(rule)), message);
    }

    static Stream<Arguments> invalidPolicies() {
        String r0 = "policy.rules[0]";
        return Stream.of(
                Arguments.of(tree(List.of(ruleMap(), ruleMap("name", "s", "max_ttl", "9x"))),
                        "policy.rules[1].max_ttl: \"9x\" is not a duration (use 30m, 8h, 1d)"),
                bad(ruleMap("max_ttl", 8), r0 + ".max_ttl: the number 8 is not a duration (use 30m, 8h, 1d)"),
                bad(ruleMap("max_ttl", "0s"), r0 + ".max_ttl: must be longer than zero (use 30m, 8h, 1d)"),
                bad(ruleMap("max_ttl", "400d"), r0 + ".max_ttl: \"400d\" is longer than the limit of 366d;"
                        + " certificates should be short-lived"),
                bad(ruleMap("default_ttl", "12h"), r0 + ".default_ttl: 12h is longer than max_ttl (8h by default);"
                        + " shorten default_ttl or raise max_ttl"),
                bad(ruleMap("default_ttl", "2h", "max_ttl", "1h"), r0 + ".default_ttl: 2h is longer than max_ttl"
                        + " (1h); shorten default_ttl or raise max_ttl"),
                bad(ruleMap("max-ttl", "8h"), r0 + ".max-ttl: unknown key; known keys here: allow_user_key_ids,"
                        + " cert_type, critical_options, default_extensions, default_principals, default_ttl,"
                        + " extensions, groups, key_id_template, key_types, max_ttl, min_rsa_bits, name,"
                        + " principals, roles"),
                Arguments.of(Map.of("rule", List.of()), "policy.rule: unknown key; known keys here: rules"),
                Arguments.of(tree(List.of()), "policy.rules: is empty, so nobody could get a certificate; add a"
                        + " rule, or remove policy.rules to use the built-in defaults"),
                Arguments.of(tree(Map.of("name", "x")), "policy.rules: expected a list like [{name: engineers,"
                        + " roles: [engineer]}], got a map"),
                Arguments.of(tree(List.of("engineers")), r0 + ": expected a map of keys to values, got"
                        + " \"engineers\""),
                bad(ruleMap("name", null), r0 + ".name: is missing; every rule needs a name (like engineers), which"
                        + " violations report"),
                bad(ruleMap("name", "Engineers!"), r0 + ".name: \"Engineers!\" is not a valid rule name (use"
                        + " lower-case letters, digits, '-' and '_', like engineers)"),
                Arguments.of(tree(List.of(ruleMap(), ruleMap())), "policy.rules[1].name: \"r\" is used by an"
                        + " earlier rule; rule names must be unique"),
                bad(ruleMap("roles", null), r0 + ": rule 'r' matches nobody; add roles: [engineer] and/or groups:"
                        + " [your-group]"),
                bad(ruleMap("roles", List.of("engineers")), r0 + ".roles[0]: unknown role \"engineers\"; known"
                        + " roles: admin, auditor, engineer, host"),
                bad(ruleMap("roles", "engineer"), r0 + ".roles: expected a list like [engineer], got"
                        + " \"engineer\""),
                bad(ruleMap("roles", List.of()), r0 + ".roles: is empty; list at least one value (like [engineer])"
                        + " or remove the key"),
                bad(ruleMap("roles", List.of("admin", "admin")), r0 + ".roles[1]: \"admin\" is listed twice"),
                bad(ruleMap("groups", List.of("")), r0 + ".groups[0]: may not be empty"),
                bad(ruleMap("cert_type", "both"), r0 + ".cert_type: \"both\" is not a certificate type (use user or"
                        + " host)"),
                bad(ruleMap("cert_type", "host", "principals", List.of("web")), r0 + ".principals: not allowed in a"
                        + " host rule: host certificates carry only the host's registered names and have no"
                        + " extensions or critical options; remove it"),
                bad(ruleMap("cert_type", "host", "critical_options", Map.of("force-command", "x")), r0
                        + ".critical_options: not allowed in a host rule: host certificates carry only the host's"
                        + " registered names and have no extensions or critical options; remove it"),
                bad(ruleMap("principals", List.of("{{username}}", "*")), r0 + ".principals[1]: '*' would allow any"
                        + " name, including root; add literal text (deploy-*) or list the names"),
                bad(ruleMap("principals", List.of("bad name")), r0 + ".principals[0]: \"bad name\" can never be a"
                        + " valid principal: a principal may not contain commas, whitespace or control characters"),
                bad(ruleMap("principals", List.of("{{user}}")), r0 + ".principals[0]: unknown placeholder"
                        + " '{{user}}' (only {{username}} is supported)"),
                bad(ruleMap("principals", List.of(Map.of(Map.of("username", "x"), "y"))), r0 + ".principals[0]:"
                        + " expected a string, got a map; quote templates in YAML: \"{{username}}\""),
                bad(ruleMap("principals", List.of()), r0 + ".principals: is empty; list at least one value (like"
                        + " [\"{{username}}\", deploy]) or remove the key"),
                bad(ruleMap("default_principals", List.of("root")), r0 + ".default_principals[0]: \"root\" is not"
                        + " allowed by this rule's principals; add it to principals or remove it here"),
                bad(ruleMap("principals", List.of("deploy-*"), "default_principals", List.of("deploy-*")), r0
                        + ".default_principals[0]: 'deploy-*' contains '*', which is not allowed here"),
                bad(ruleMap("extensions", List.of("permit-everything")), r0 + ".extensions[0]:"
                        + " \"permit-everything\" is not an extension OpenSSH knows; use one of no-touch-required,"
                        + " permit-X11-forwarding, permit-agent-forwarding, permit-port-forwarding, permit-pty,"
                        + " permit-user-rc or a vendor extension name@your.domain"),
                bad(ruleMap("extensions", List.of("permit-pty"), "default_extensions", List.of("permit-user-rc")),
                        r0 + ".default_extensions: \"permit-user-rc\" is not in this rule's extensions; add it there"
                                + " or remove it here"),
                bad(ruleMap("critical_options", Map.of("verify-required", "")), r0
                        + ".critical_options.verify-required: unknown key; known keys here: force-command,"
                        + " source-address"),
                bad(ruleMap("critical_options", Map.of("source-address", "bastion.example.com")), r0
                        + ".critical_options.source-address: source-address 'bastion.example.com' is not an IP"
                        + " address or CIDR block (use IP addresses or CIDR blocks like 10.0.0.0/8)"),
                bad(ruleMap("critical_options", Map.of("source-address", List.of("10.0.0.1/8"))), r0
                        + ".critical_options.source-address: source-address '10.0.0.1/8' has host bits set beyond"
                        + " the /8 prefix (use IP addresses or CIDR blocks like 10.0.0.0/8)"),
                bad(ruleMap("critical_options", Map.of("force-command", "")), r0
                        + ".critical_options.force-command: may not be empty"),
                bad(ruleMap("critical_options", Map.of("force-command", "a\nb")), r0
                        + ".critical_options.force-command: must be one line"),
                bad(ruleMap("key_types", List.of("ed25519", "dsa")), r0 + ".key_types[1]: \"dsa\" is not a key type;"
                        + " use ed25519, ecdsa-p256, ecdsa-p384, ecdsa-p521, rsa, sk-ed25519, sk-ecdsa"),
                bad(ruleMap("min_rsa_bits", 1024), r0 + ".min_rsa_bits: 1024 is out of range; use 2048 to 16384"),
                bad(ruleMap("min_rsa_bits", "3072"), r0 + ".min_rsa_bits: \"3072\" is not a whole number (like"
                        + " 3072)"),
                bad(ruleMap("key_types", List.of("ed25519"), "min_rsa_bits", 4096), r0 + ".min_rsa_bits: is set but"
                        + " key_types does not allow rsa; remove one of them"),
                bad(ruleMap("key_id_template", "{{username}} x"), r0 + ".key_id_template: \"{{username}} x\" gives"
                        + " key IDs that may only hold printable ASCII without spaces or parentheses (sshd logs it"
                        + " unquoted)"),
                bad(ruleMap("allow_user_key_ids", "yes"), r0 + ".allow_user_key_ids: expected true or false, got"
                        + " \"yes\""));
    }

    @ParameterizedTest
    @MethodSource("invalidPolicies")
    void rejectsInvalidPolicyNamingKeyPathAndFix(Map<String, Object> tree, String message) {
        var e = assertThrows(InvalidInputException.class, () -> IssuancePolicy.fromMap(tree));
        assertFalse(e instanceof PolicyViolationException, "a config error is not a request violation");
        assertEquals(message, e.getMessage());
    }

    @Test
    void noPolicyMeansTheDefaults() {
        assertEquals(DefaultRules.rules(), PolicyLoader.load(null));
        assertEquals(DefaultRules.rules(), PolicyLoader.load(Map.of()));
    }

    @Test
    void loadsAFullRuleWithEveryKey() {
        Map<String, Object> m = ruleMap(
                "name", "deployers",
                "roles", List.of("engineer", "admin"),
                "groups", List.of("sre"),
                "cert_type", "user",
                "principals", List.of("{{username}}", "deploy", "deploy-*"),
                "default_principals", List.of("deploy"),
                "default_ttl", "15m",
                "max_ttl", "2h",
                "extensions", List.of("permit-pty", "permit-port-forwarding"),
                "default_extensions", List.of("permit-pty"),
                "critical_options", Map.of("force-command", "/usr/local/bin/deploy",
                        "source-address", "10.0.0.0/8, 192.0.2.7"),
                "key_types", List.of("ed25519", "rsa"),
                "min_rsa_bits", 3072,
                "key_id_template", "deploy:{{username}}",
                "allow_user_key_ids", false);
        PolicyRule r = PolicyLoader.load(tree(List.of(m))).getFirst();
        assertEquals("rules.deployers", r.path());
        assertEquals(Set.of("engineer", "admin"), r.roles());
        assertEquals(Set.of("sre"), r.groups());
        assertEquals(CertType.USER, r.certType());
        assertEquals(List.of("{{username}}", "deploy", "deploy-*"), r.principals().stream().map(Template::source)
                .toList());
        assertEquals(List.of("deploy"), r.defaultPrincipals().stream().map(Template::source).toList());
        assertEquals(Duration.ofMinutes(15), r.defaultTtl());
        assertEquals(Duration.ofHours(2), r.maxTtl());
        assertEquals(Set.of("permit-pty", "permit-port-forwarding"), r.extensions());
        assertEquals(Set.of("permit-pty"), r.defaultExtensions());
        assertEquals(Map.of("force-command", "/usr/local/bin/deploy", "source-address", "10.0.0.0/8,192.0.2.7"),
                r.criticalOptions());
        assertEquals(Set.of(KeyType.ED25519, KeyType.RSA), r.keyTypes());
        assertEquals(3072, r.minRsaBits());
        assertEquals("deploy:{{username}}", r.keyIdTemplate().source());
        assertFalse(r.allowUserKeyIds());
    }

    @Test
    void omittedKeysGetSafeDefaults() {
        PolicyRule user = PolicyLoader.rule(ruleMap(), "policy.rules[0]");
        assertEquals(List.of("{{username}}"), user.principals().stream().map(Template::source).toList());
        assertEquals(List.of("{{username}}"), user.defaultPrincipals().stream().map(Template::source).toList());
        assertEquals(Duration.ofHours(1), user.defaultTtl());
        assertEquals(Duration.ofHours(8), user.maxTtl());
        assertEquals(Set.of("permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding",
                "permit-pty", "permit-user-rc"), user.extensions());
        assertEquals(user.extensions(), user.defaultExtensions());
        assertEquals(Map.of(), user.criticalOptions());
        assertEquals(Set.of(KeyType.values()), user.keyTypes());
        assertEquals(2048, user.minRsaBits());
        assertEquals("{{username}}", user.keyIdTemplate().source());
        assertFalse(user.allowUserKeyIds());

        PolicyRule host = PolicyLoader.rule(ruleMap("roles", List.of("host"), "cert_type", "host"),
                "policy.rules[0]");
        assertEquals(Duration.ofDays(7), host.defaultTtl());
        assertEquals(Duration.ofDays(30), host.maxTtl());
        assertEquals(List.of(), host.principals());
        assertEquals(Set.of(), host.extensions());
    }

    @Test
    void defaultTtlFollowsAShortMaxTtl() {
        PolicyRule r = PolicyLoader.rule(ruleMap("max_ttl", "10m"), "policy.rules[0]");
        assertEquals(Duration.ofMinutes(10), r.defaultTtl());
    }

    @Test
    void defaultPrincipalMayUseAGlobAllowedByTheRule() {
        PolicyRule r = PolicyLoader.rule(ruleMap("principals", List.of("*-ro"), "default_principals",
                List.of("{{username}}-ro")), "policy.rules[0]");
        assertEquals(List.of("{{username}}-ro"), r.defaultPrincipals().stream().map(Template::source).toList());
    }

    @Test
    void onlyGroupsIsEnoughToMatch() {
        PolicyRule r = PolicyLoader.rule(ruleMap("roles", null, "groups", List.of("oncall")), "policy.rules[0]");
        assertEquals(Set.of(), r.roles());
        assertEquals(Set.of("oncall"), r.groups());
    }
}
