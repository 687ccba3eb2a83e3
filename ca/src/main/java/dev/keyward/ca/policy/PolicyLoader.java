package dev.keyward.ca.policy;

import static dev.keyward.ca.policy.ConfigValues.error;

import dev.keyward.ca.Durations;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertOptions;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.SourceAddresses;
import dev.keyward.ca.key.KeyType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds {@link PolicyRule}s from the {@code policy:} subtree of the configuration, validating every key at load
 * time with a message that names the key path and the fix. Unknown keys are errors, so a typo such as
 * {@code max-ttl} cannot silently leave a rule at its default.
 */
final class PolicyLoader {
    static final Set<String> TOP_KEYS = Set.of("rules");
    static final Set<String> RULE_KEYS = Set.of("name", "roles", "groups", "cert_type", "principals",
            "default_principals", "default_ttl", "max_ttl", "extensions", "default_extensions", "critical_options",
            "key_types", "min_rsa_bits", "key_id_template", "allow_user_key_ids");
    /** Keys that only make sense for user certificates. */
    static final List<String> USER_ONLY_KEYS = List.of("principals", "default_principals", "extensions",
            "default_extensions", "critical_options");
    static final Set<String> FORCEABLE_OPTIONS = Set.of(CertOptions.FORCE_COMMAND, CertOptions.SOURCE_ADDRESS);

    private static final Pattern RULE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern VENDOR_EXTENSION = Pattern.compile("[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+");
    /** Stands for the username when defaults are checked against allowed principals at load time. */
    private static final String SAMPLE_USERNAME = "keyward.sample-user";
    private static final String DURATION_HINT = "(use 30m, 8h, 1d)";

    private PolicyLoader() {
    }

    /** The rules of {@code tree}; null or an empty tree, or one without {@code rules}, gives the defaults. */
    static List<PolicyRule> load(Map<String, Object> tree) {
        if (tree == null || !tree.containsKey("rules")) {
            if (tree != null) {
                ConfigValues.checkKeys(tree, TOP_KEYS, "policy");
            }
            return DefaultRules.rules();
        }
        ConfigValues.checkKeys(tree, TOP_KEYS, "policy");
        List<?> raw = ConfigValues.list(tree.get("rules"), "policy.rules", "[{name: engineers, roles: [engineer]}]");
        if (raw.isEmpty()) {
            throw error("policy.rules", "is empty, so nobody could get a certificate; add a rule, or remove"
                    + " policy.rules to use the built-in defaults");
        }
        List<PolicyRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            String at = "policy.rules[" + i + "]";
            PolicyRule rule = rule(ConfigValues.map(raw.get(i), at), at);
            if (!names.add(rule.path())) {
                throw error(at + ".name", "\"" + rule.path().substring("rules.".length()) + "\" is used by an"
                        + " earlier rule; rule names must be unique");
            }
            rules.add(rule);
        }
        return List.copyOf(rules);
    }

    static PolicyRule rule(Map<String, Object> m, String at) {
        ConfigValues.checkKeys(m, RULE_KEYS, at);
        if (!m.containsKey("name")) {
            throw error(at + ".name", "is missing; every rule needs a name (like engineers), which violations"
                    + " report");
        }
        String name = ConfigValues.string(m.get("name"), at + ".name");
        if (!RULE_NAME.matcher(name).matches()) {
            throw error(at + ".name", ConfigValues.show(name) + " is not a valid rule name (use lower-case"
                    + " letters, digits, '-' and '_', like engineers)");
        }
        Set<String> roles = m.containsKey("roles") ? roles(m.get("roles"), at + ".roles") : Set.of();
        Set<String> groups = m.containsKey("groups")
                ? new LinkedHashSet<>(ConfigValues.stringList(m.get("groups"), at + ".groups", "[sre]"))
                : Set.of();
        if (roles.isEmpty() && groups.isEmpty()) {
            throw error(at, "rule '" + name + "' matches nobody; add roles: [engineer] and/or groups: [your-group]");
        }
        CertType type = m.containsKey("cert_type") ? certType(m.get("cert_type"), at + ".cert_type") : CertType.USER;
        if (type == CertType.HOST) {
            for (String k : USER_ONLY_KEYS) {
                if (m.containsKey(k)) {
                    throw error(at + "." + k, "not allowed in a host rule: host certificates carry only the host's"
                            + " registered names and have no extensions or critical options; remove it");
                }
            }
        }
        Ttls ttls = ttls(m, at, type);
        List<Template> principals = List.of();
        List<Template> defaultPrincipals = List.of();
        SortedSet<String> extensions = new TreeSet<>();
        SortedSet<String> defaultExtensions = new TreeSet<>();
        SortedMap<String, String> criticalOptions = new TreeMap<>();
        if (type == CertType.USER) {
            principals = m.containsKey("principals")
                    ? principals(m.get("principals"), at + ".principals")
                    : List.of(DefaultRules.USERNAME);
            defaultPrincipals = m.containsKey("default_principals")
                    ? defaultPrincipals(m.get("default_principals"), at + ".default_principals", principals)
                    : principals.stream().filter(t -> !t.isGlob()).toList();
            extensions = m.containsKey("extensions")
                    ? extensions(m.get("extensions"), at + ".extensions")
                    : new TreeSet<>(CertOptions.DEFAULT_USER_EXTENSIONS);
            defaultExtensions = m.containsKey("default_extensions")
                    ? defaultExtensions(m.get("default_extensions"), at + ".default_extensions", extensions)
                    : extensions;
            if (m.containsKey("critical_options")) {
                criticalOptions = criticalOptions(m.get("critical_options"), at + ".critical_options");
            }
        }
        Set<KeyType> keyTypes = m.containsKey("key_types")
                ? keyTypes(m.get("key_types"), at + ".key_types")
                : DefaultRules.allKeyTypes();
        int minRsaBits = DefaultRules.MIN_RSA_BITS;
        if (m.containsKey("min_rsa_bits")) {
            minRsaBits = minRsaBits(m.get("min_rsa_bits"), at + ".min_rsa_bits");
            if (!keyTypes.contains(KeyType.RSA)) {
                throw error(at + ".min_rsa_bits", "is set but key_types does not allow rsa; remove one of them");
            }
        }
        Template keyId = m.containsKey("key_id_template")
                ? keyIdTemplate(m.get("key_id_template"), at + ".key_id_template")
                : DefaultRules.USERNAME;
        boolean allowUserKeyIds = false;
        if (m.containsKey("allow_user_key_ids")) {
            if (!(m.get("allow_user_key_ids") instanceof Boolean b)) {
                throw error(at + ".allow_user_key_ids", "expected true or false, got "
                        + ConfigValues.show(m.get("allow_user_key_ids")));
            }
            allowUserKeyIds = b;
        }
        return new PolicyRule("rules." + name, roles, groups, type, principals, defaultPrincipals, ttls.dflt(),
                ttls.max(), extensions, defaultExtensions, criticalOptions, keyTypes, minRsaBits, keyId,
                allowUserKeyIds);
    }

    private static Set<String> roles(Object v, String path) {
        List<String> raw = ConfigValues.stringList(v, path, "[engineer]");
        for (int i = 0; i < raw.size(); i++) {
            if (!Identity.KNOWN_ROLES.contains(raw.get(i))) {
                throw error(path + "[" + i + "]", "unknown role " + ConfigValues.show(raw.get(i)) + "; known roles: "
                        + String.join(", ", new TreeSet<>(Identity.KNOWN_ROLES)));
            }
        }
        return new LinkedHashSet<>(raw);
    }

    private static CertType certType(Object v, String path) {
        String s = ConfigValues.string(v, path);
        return switch (s) {
            case "user" -> CertType.USER;
            case "host" -> CertType.HOST;
            default -> throw error(path, ConfigValues.show(s) + " is not a certificate type (use user or host)");
        };
    }

    private record Ttls(Duration dflt, Duration max) {
    }

    private static Ttls ttls(Map<String, Object> m, String at, CertType type) {
        Duration max = m.containsKey("max_ttl") ? duration(m.get("max_ttl"), at + ".max_ttl")
                : DefaultRules.maxTtl(type);
        Duration dflt;
        if (m.containsKey("default_ttl")) {
            dflt = duration(m.get("default_ttl"), at + ".default_ttl");
            if (dflt.compareTo(max) > 0) {
                throw error(at + ".default_ttl", Durations.format(dflt) + " is longer than max_ttl ("
                        + Durations.format(max) + (m.containsKey("max_ttl") ? "" : " by default")
                        + "); shorten default_ttl or raise max_ttl");
            }
        } else {
            Duration builtIn = DefaultRules.defaultTtl(type);
            dflt = builtIn.compareTo(max) < 0 ? builtIn : max;
        }
        return new Ttls(dflt, max);
    }

    static Duration duration(Object v, String path) {
        if (!(v instanceof String s)) {
            throw error(path, ConfigValues.show(v) + " is not a duration " + DURATION_HINT);
        }
        Duration d = Durations.parse(s.strip()).orElseThrow(() ->
                error(path, ConfigValues.show(s) + " is not a duration " + DURATION_HINT));
        if (d.isZero()) {
            throw error(path, "must be longer than zero " + DURATION_HINT);
        }
        if (d.compareTo(DefaultRules.TTL_CEILING) > 0) {
            throw error(path, ConfigValues.show(s) + " is longer than the limit of "
                    + Durations.format(DefaultRules.TTL_CEILING) + "; certificates should be short-lived");
        }
        return d;
    }

    private static List<Template> principals(Object v, String path) {
        List<String> raw = ConfigValues.stringList(v, path, "[\"{{username}}\", deploy]");
        List<Template> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String p = path + "[" + i + "]";
            Template t = template(raw.get(i), true, p);
            Principals.problem(t.render(SAMPLE_USERNAME, "x")).ifPresent(problem -> {
                throw error(p, ConfigValues.show(t.source()) + " can never be a valid principal: " + problem);
            });
            out.add(t);
        }
        return out;
    }

    private static List<Template> defaultPrincipals(Object v, String path, List<Template> allowed) {
        List<String> raw = ConfigValues.stringList(v, path, "[\"{{username}}\"]");
        List<Template> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String p = path + "[" + i + "]";
            Template t = template(raw.get(i), false, p);
            String expanded = t.expand(SAMPLE_USERNAME);
            if (allowed.stream().noneMatch(a -> a.matches(expanded, SAMPLE_USERNAME))) {
                throw error(p, ConfigValues.show(raw.get(i)) + " is not allowed by this rule's principals; add it to"
                        + " principals or remove it here");
            }
            out.add(t);
        }
        return out;
    }

    private static SortedSet<String> extensions(Object v, String path) {
        List<?> raw = ConfigValues.list(v, path, "[permit-pty, permit-port-forwarding]");
        SortedSet<String> out = new TreeSet<>();
        for (int i = 0; i < raw.size(); i++) {
            String p = path + "[" + i + "]";
            String e = ConfigValues.nonEmptyString(raw.get(i), p);
            if (!CertOptions.STANDARD_EXTENSIONS.contains(e) && !VENDOR_EXTENSION.matcher(e).matches()) {
                throw error(p, ConfigValues.show(e) + " is not an extension OpenSSH knows; use one of "
                        + String.join(", ", new TreeSet<>(CertOptions.STANDARD_EXTENSIONS))
                        + " or a vendor extension name@your.domain");
            }
            if (!out.add(e)) {
                throw error(p, ConfigValues.show(e) + " is listed twice");
            }
        }
        return out;
    }

    private static SortedSet<String> defaultExtensions(Object v, String path, SortedSet<String> allowed) {
        SortedSet<String> out = extensions(v, path);
        for (String e : out) {
            if (!allowed.contains(e)) {
                throw error(path, "\"" + e + "\" is not in this rule's extensions; add it there or remove it here");
            }
        }
        return out;
    }

    private static SortedMap<String, String> criticalOptions(Object v, String path) {
        Map<String, Object> m = ConfigValues.map(v, path);
        ConfigValues.checkKeys(m, FORCEABLE_OPTIONS, path);
        SortedMap<String, String> out = new TreeMap<>();
        if (m.containsKey(CertOptions.FORCE_COMMAND)) {
            String p = path + "." + CertOptions.FORCE_COMMAND;
            String cmd = ConfigValues.nonEmptyString(m.get(CertOptions.FORCE_COMMAND), p);
            if (cmd.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) {
                throw error(p, "must be one line");
            }
            out.put(CertOptions.FORCE_COMMAND, cmd);
        }
        if (m.containsKey(CertOptions.SOURCE_ADDRESS)) {
            String p = path + "." + CertOptions.SOURCE_ADDRESS;
            Object raw = m.get(CertOptions.SOURCE_ADDRESS);
            String list = raw instanceof List<?>
                    ? String.join(",", ConfigValues.stringList(raw, p, "[10.0.0.0/8, 192.0.2.7]"))
                    : ConfigValues.nonEmptyString(raw, p);
            list = list.replace(" ", "");
            try {
                SourceAddresses.validate(list);
            } catch (InvalidInputException e) {
                throw error(p, e.getMessage() + " (use IP addresses or CIDR blocks like 10.0.0.0/8)");
            }
            out.put(CertOptions.SOURCE_ADDRESS, list);
        }
        return out;
    }

    private static Set<KeyType> keyTypes(Object v, String path) {
        List<String> raw = ConfigValues.stringList(v, path, "[ed25519, sk-ed25519]");
        Set<KeyType> out = EnumSet.noneOf(KeyType.class);
        for (int i = 0; i < raw.size(); i++) {
            String s = raw.get(i);
            out.add(KeyTypeNames.byName(s).orElseThrow(() -> error(path + "[" + raw.indexOf(s) + "]",
                    ConfigValues.show(s) + " is not a key type; use " + KeyTypeNames.ALL)));
        }
        return out;
    }

    private static int minRsaBits(Object v, String path) {
        if (!(v instanceof Integer || v instanceof Long)) {
            throw error(path, ConfigValues.show(v) + " is not a whole number (like 3072)");
        }
        long bits = ((Number) v).longValue();
        if (bits < DefaultRules.MIN_RSA_BITS || bits > dev.keyward.ca.key.KeyPolicy.MAX_RSA_BITS) {
            throw error(path, bits + " is out of range; use " + DefaultRules.MIN_RSA_BITS + " to "
                    + dev.keyward.ca.key.KeyPolicy.MAX_RSA_BITS);
        }
        return (int) bits;
    }

    private static Template keyIdTemplate(Object v, String path) {
        Template t = template(ConfigValues.nonEmptyString(v, path), false, path);
        KeyIdCalculator.problem(t.expand(SAMPLE_USERNAME)).ifPresent(problem -> {
            throw error(path, ConfigValues.show(t.source()) + " gives key IDs that " + problem);
        });
        return t;
    }

    private static Template template(String s, boolean allowGlob, String path) {
        try {
            return Template.parse(s, allowGlob);
        } catch (IllegalArgumentException e) {
            throw error(path, e.getMessage());
        }
    }

}
