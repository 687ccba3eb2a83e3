package dev.keyward.web.auth;

import dev.keyward.web.db.Database;
import dev.keyward.web.db.TokenDao;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Authenticates {@value ApiTokenSecrets#PREFIX} bearer tokens against their stored hashes. */
public final class ApiTokenAuthenticator implements BearerAuthenticator {
    private final Database db;
    private final Clock clock;

    public ApiTokenAuthenticator(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public boolean accepts(String credential) {
        return credential.startsWith(ApiTokenSecrets.PREFIX);
    }

    @Override
    public Caller authenticate(String credential) {
        if (!ApiTokenSecrets.looksLikeToken(credential)) {
            throw new AuthenticationException("the API token is malformed");
        }
        String hash = ApiTokenSecrets.hash(credential);
        ApiToken t = db.read(dsl -> new TokenDao(dsl).findByHash(hash))
                .orElseThrow(() -> new AuthenticationException("the API token is not known"));
        Instant now = clock.instant();
        if (t.revokedAt().isPresent()) {
            throw new AuthenticationException("the API token was revoked");
        }
        if (!now.isBefore(t.expiresAt())) {
            throw new AuthenticationException("the API token expired at " + t.expiresAt());
        }
        return new Caller("token:" + t.id() + ":" + t.username(), t.username(), Set.of(t.role()), List.of(),
                Optional.of(t.id()), t.role() == Role.HOST ? t.principals() : List.of());
    }
}
