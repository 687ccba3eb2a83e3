package dev.keyward.ca.policy;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.key.KeyType;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One validated policy rule, as {@link PolicyLoader} builds it from {@code policy.rules[i]} or as the built-in
 * defaults define it. All defaults are already filled in; nothing here is null.
 *
 * @param path              prefix of the rule names in violations: {@code rules.<name>} or {@code default.user}
 * @param roles             matches callers holding any of these roles (empty: roles are not considered)
 * @param groups            matches callers in any of these groups (empty: groups are not considered)
 * @param principals        allowed principals (user rules; empty for host rules)
 * @param defaultPrincipals principals given when the request names none (user rules)
 * @param extensions        extensions a request may ask for (user rules)
 * @param defaultExtensions extensions given when the request names none (user rules)
 * @param criticalOptions   critical options forced onto every certificate (user rules)
 * @param keyIdTemplate     key ID template, without serial
 * @param allowUserKeyIds   whether a request may set its own key ID
 */
record PolicyRule(String path, Set<String> roles, Set<String> groups, CertType certType, List<Template> principals,
        List<Template> defaultPrincipals, Duration defaultTtl, Duration maxTtl, SortedSet<String> extensions,
        SortedSet<String> defaultExtensions, SortedMap<String, String> criticalOptions, Set<KeyType> keyTypes,
        int minRsaBits, Template keyIdTemplate, boolean allowUserKeyIds) {

    PolicyRule {
        Objects.requireNonNull(path);
        roles = Set.copyOf(roles);
        groups = Set.copyOf(groups);
        if (roles.isEmpty() && groups.isEmpty()) {
            throw new IllegalArgumentException("a rule must match on roles or groups");
        }
        Objects.requireNonNull(certType);
        principals = List.copyOf(principals);
        defaultPrincipals = List.copyOf(defaultPrincipals);
        Objects.requireNonNull(defaultTtl);
        Objects.requireNonNull(maxTtl);
        extensions = Collections.unmodifiableSortedSet(new TreeSet<>(extensions));
        defaultExtensions = Collections.unmodifiableSortedSet(new TreeSet<>(defaultExtensions));
        criticalOptions = Collections.unmodifiableSortedMap(new TreeMap<>(criticalOptions));
        keyTypes = Collections.unmodifiableSet(keyTypes.isEmpty() ? EnumSet.noneOf(KeyType.class)
                : EnumSet.copyOf(keyTypes));
        Objects.requireNonNull(keyIdTemplate);
    }

    /**
     * Whether this rule applies to {@code who} asking for a {@code type} certificate: the type must be the
     * rule's, and the caller must hold one of the rule's roles (if it lists roles) and be in one of its groups
     * (if it lists groups).
     */
    boolean matches(Identity who, CertType type) {
        if (type != certType) {
            return false;
        }
        boolean roleOk = roles.isEmpty() || roles.stream().anyMatch(who.roles()::contains);
        boolean groupOk = groups.isEmpty() || groups.stream().anyMatch(who.groups()::contains);
        return roleOk && groupOk;
    }

    /** The dotted name of one of this rule's keys, e.g. {@code rules.engineers.max_ttl}. */
    String rule(String key) {
        return path + "." + key;
    }
}
