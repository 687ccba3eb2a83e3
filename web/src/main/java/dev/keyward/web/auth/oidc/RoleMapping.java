package dev.keyward.web.auth.oidc;

import dev.keyward.web.auth.Role;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code oidc.role_groups}: a caller holds every role one of whose groups it is in (group names compare exactly,
 * case-sensitive, like the policy's {@code groups:}). The host role is never granted (the configuration refuses
 * it), so an identity provider can never mint a host.
 */
final class RoleMapping {
    private final Map<Role, Set<String>> roleGroups;

    RoleMapping(Map<Role, Set<String>> roleGroups) {
        if (roleGroups.containsKey(Role.HOST)) {
            throw new IllegalArgumentException("the host role is never granted through OIDC");
        }
        this.roleGroups = Map.copyOf(roleGroups);
    }

    Set<Role> roles(Collection<String> groups) {
        EnumSet<Role> roles = EnumSet.noneOf(Role.class);
        roleGroups.forEach((role, wanted) -> {
            for (String g : groups) {
                if (wanted.contains(g)) {
                    roles.add(role);
                    return;
                }
            }
        });
        return roles;
    }
}
