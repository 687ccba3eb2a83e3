package dev.keyward.web.auth;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param actor          how the audit log names it, e.g. {@code token:12:alice} or {@code oidc:alice}
 * @param username       the user (or host token's name) the caller acts as
 * @param roles          its roles
 * @param groups         its groups (from OIDC; empty for API tokens)
 * @param tokenId        the API token used, if any
 * @param hostPrincipals for host callers, the host's registered names (the only names its certs may carry)
 */
public record Caller(String actor, String username, Set<Role> roles, List<String> groups, Optional<Long> tokenId,
        List<String> hostPrincipals) {

    public Caller {
        roles = Set.copyOf(roles);
        groups = List.copyOf(groups);
        hostPrincipals = List.copyOf(hostPrincipals);
    }

    public boolean hasAnyRole(Set<Role> wanted) {
        for (Role r : roles) {
            if (wanted.contains(r)) {
                return true;
            }
        }
        return false;
    }

    /** The caller used by command-line tools (token create, audit verify) in the audit log. */
    public static Caller cli(String osUser) {
        return new Caller("cli:" + osUser, osUser, Set.of(Role.ADMIN), List.of(), Optional.empty(), List.of());
    }

    public static Caller system() {
        return new Caller("system", "system", Set.of(Role.ADMIN), List.of(), Optional.empty(), List.of());
    }
}
