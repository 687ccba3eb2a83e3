package dev.keyward.web.auth;

import dev.keyward.web.db.Database;
import dev.keyward.web.db.TokenDao;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates {@value ApiTokenSecrets#PREFIX} bearer tokens against their stored hashes.
 *
 * <p>A token row read from the database is reused for at most {@link #CACHE_NANOS} (1 s), keyed by the token's
 * hash, so a client sending many requests costs one lookup per second instead of one per request. Expiry is
 * checked against the clock on every request. A revocation through this server process ({@link #tokensChanged})
 * empties the cache at once; a revocation through another node (or in SQL) takes effect here within 1 s.
 */
public final class ApiTokenAuthenticator implements BearerAuthenticator {
    /** How long a token row read from the database is trusted: the bound on how late a remote revocation bites. */
    static final long CACHE_NANOS = 1_000_000_000L;
    private static final int CACHE_MAX = 10_000;
    /** Bumped by every token change in this JVM; cached rows of an older generation are not used. */
    private static final java.util.concurrent.atomic.AtomicLong GENERATION = new java.util.concurrent.atomic.AtomicLong();

    private record Cached(ApiToken token, long readAtNanos, long generation) {
    }

    private final Database db;
    private final Clock clock;
    private final java.util.concurrent.ConcurrentHashMap<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

    /** Call after a token is revoked (or changed) so that no server in this JVM keeps using its cached row. */
    public static void tokensChanged() {
        GENERATION.incrementAndGet();
    }

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
        ApiToken t = lookup(hash);
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

    private ApiToken lookup(String hash) {
        long now = System.nanoTime();
        long generation = GENERATION.get();
        Cached c = cache.get(hash);
        if (c != null && c.generation() == generation && now - c.readAtNanos() < CACHE_NANOS) {
            return c.token();
        }
        ApiToken t = db.read(dsl -> new TokenDao(dsl).findByHash(hash))
                .orElseThrow(() -> new AuthenticationException("the API token is not known"));
        if (t.revokedAt().isEmpty()) {
            if (cache.size() >= CACHE_MAX) {
                cache.clear();
            }
            cache.put(hash, new Cached(t, now, generation));
        } else {
            cache.remove(hash);
        }
        return t;
    }
}
