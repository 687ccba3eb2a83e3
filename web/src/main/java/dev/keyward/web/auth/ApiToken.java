package dev.keyward.web.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An API token's stored facts (never its secret). */
public record ApiToken(long id, String name, Role role, String username, List<String> principals, String createdBy,
        Instant createdAt, Instant expiresAt, Optional<Instant> revokedAt, Optional<Instant> lastUsedAt) {

    public ApiToken {
        principals = List.copyOf(principals);
    }

    public String status(Instant now) {
        if (revokedAt.isPresent()) {
            return "revoked";
        }
        return now.isBefore(expiresAt) ? "active" : "expired";
    }
}
