package dev.keyward.ca.policy;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is asking for a certificate, as the server authenticated them.
 *
 * @param username the login name used for {@code {{username}}} in templates (an OIDC claim, or a host's id)
 * @param roles    Keyward roles ({@link #ADMIN}, {@link #ENGINEER}, {@link #AUDITOR}, {@link #HOST}); stored
 *                 lower-case
 * @param groups   OIDC groups, compared exactly (case-sensitive) with the groups of policy rules
 */
public record Identity(String username, Set<String> roles, Set<String> groups) {
    public static final String ADMIN = "admin";
    public static final String ENGINEER = "engineer";
    public static final String AUDITOR = "auditor";
    public static final String HOST = "host";

    /** The roles a policy rule may name. */
    public static final Set<String> KNOWN_ROLES = Set.of(ADMIN, ENGINEER, AUDITOR, HOST);

    public Identity {
        Objects.requireNonNull(username, "username");
        roles = Objects.requireNonNull(roles, "roles").stream()
                .map(r -> Objects.requireNonNull(r, "role").toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        groups = Set.copyOf(Objects.requireNonNull(groups, "groups"));
    }
}
