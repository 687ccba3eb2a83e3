package dev.keyward.ca.policy;

import dev.keyward.ca.cert.CertOptions;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.key.KeyType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The built-in values: the rules used when the configuration has no {@code policy.rules}, and the value of each
 * key a configured rule leaves out.
 *
 * <ul>
 * <li>{@code default.user}: admins and engineers get user certificates for exactly their own username, 1 h by
 * default and 8 h at most, with OpenSSH's default extensions, any key type, RSA from 2048 bits, key ID
 * {@code {{username}}}.</li>
 * <li>{@code default.host}: the host role gets host certificates for its registered names, 7 d by default and
 * 30 d at most.</li>
 * <li>Auditors (and anyone else) get no certificate.</li>
 * </ul>
 */
final class DefaultRules {
    static final Duration USER_DEFAULT_TTL = Duration.ofHours(1);
    static final Duration USER_MAX_TTL = Duration.ofHours(8);
    static final Duration HOST_DEFAULT_TTL = Duration.ofDays(7);
    static final Duration HOST_MAX_TTL = Duration.ofDays(30);
    /** No rule may issue for longer than this: a policy never produces a "forever" certificate. */
    static final Duration TTL_CEILING = Duration.ofDays(366);
    static final int MIN_RSA_BITS = 2048;
    static final Template USERNAME = Template.parse("{{username}}", false);

    private DefaultRules() {
    }

    static Duration defaultTtl(CertType type) {
        return type == CertType.HOST ? HOST_DEFAULT_TTL : USER_DEFAULT_TTL;
    }

    static Duration maxTtl(CertType type) {
        return type == CertType.HOST ? HOST_MAX_TTL : USER_MAX_TTL;
    }

    static Set<KeyType> allKeyTypes() {
        return EnumSet.allOf(KeyType.class);
    }

    static List<PolicyRule> rules() {
        PolicyRule user = new PolicyRule("default.user", Set.of(Identity.ADMIN, Identity.ENGINEER), Set.of(),
                CertType.USER, List.of(USERNAME), List.of(USERNAME), USER_DEFAULT_TTL, USER_MAX_TTL,
                new TreeSet<>(CertOptions.DEFAULT_USER_EXTENSIONS), new TreeSet<>(CertOptions.DEFAULT_USER_EXTENSIONS),
                new TreeMap<>(), allKeyTypes(), MIN_RSA_BITS, USERNAME, false);
        PolicyRule host = new PolicyRule("default.host", Set.of(Identity.HOST), Set.of(), CertType.HOST, List.of(),
                List.of(), HOST_DEFAULT_TTL, HOST_MAX_TTL, new TreeSet<>(), new TreeSet<>(), new TreeMap<>(),
                allKeyTypes(), MIN_RSA_BITS, USERNAME, false);
        return List.of(user, host);
    }
}
