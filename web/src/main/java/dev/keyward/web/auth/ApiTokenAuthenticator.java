package dev.keyward.web.auth;

import dev.keyward.web.db.Database;
import dev.keyward.web.db.HostDao;
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
 *
 * <p>Each token's last use is recorded ({@code last_used_at}, shown by {@code GET /tokens}) to the minute: when the
 * stored value is over {@link #LAST_USE_RESOLUTION} old, one conditional UPDATE refreshes it, so a busy client
 * costs one write a minute, not one per request. A failure to record it never fails the request.
 */
public final class ApiTokenAuthenticator implements BearerAuthenticator {
    /** How long a token row read from the database is trusted: the bound on how late a remote revocation bites. */
    static final long CACHE_NANOS = 1_000_000_000L;
    private static final int CACHE_MAX = 10_000;
    /** How stale a token's recorded last use may get before a request refreshes it. */
    static final java.time.Duration LAST_USE_RESOLUTION = java.time.Duration.ofMinutes(1);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiTokenAuthenticator.class);
    /** Bumped by every token change in this JVM; cached rows of an older generation are not used. */
    private static final java.util.concurrent.atomic.AtomicLong GENERATION = new java.util.concurrent.atomic.AtomicLong();

    private record Cached(ApiToken token, long readAtNanos, long generation) {
    }

    /** Last use recorded by this node per token id, so the check costs no database access in between. */
    private final java.util.concurrent.ConcurrentHashMap<Long, Instant> recordedUse =
            new java.util.concurrent.ConcurrentHashMap<>();

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
            throw new AuthenticationException(t.role() == Role.HOST
                    ? "the host credential was revoked" + reEnroll(t) : "the API token was revoked");
        }
        if (!now.isBefore(t.expiresAt())) {
            throw new AuthenticationException(t.role() == Role.HOST
                    ? "the host credential expired at " + t.expiresAt() + reEnroll(t)
                    : "the API token expired at " + t.expiresAt());
        }
        recordUse(t, now);
        return new Caller("token:" + t.id() + ":" + t.username(), t.username(), Set.of(t.role()), List.of(),
                Optional.of(t.id()), t.role() == Role.HOST ? t.principals() : List.of());
    }

    /**
     * What the person reading an agent's log must do: a credential that expired (or was revoked) cannot be renewed,
     * so the host is enrolled again with a new join token. Names the host's id when the credential is still the
     * host's (an expired one is; a revoked one was usually replaced).
     */
    private String reEnroll(ApiToken t) {
        String id = "{id}";
        try {
            Optional<Long> host = db.read(dsl -> new HostDao(dsl).findByToken(t.id())).map(HostDao.Host::id);
            if (host.isPresent()) {
                id = Long.toString(host.get());
            }
        } catch (RuntimeException e) {
            LOG.debug("could not find the host of token {}: {}", t.id(), e.toString()); // the message stays generic
        }
        return "; it cannot be renewed: re-enroll the host with a new join token (an admin calls POST /api/v1/hosts/"
                + id + "/join-token, then run 'keyward-agent enroll --join-token-file FILE' on the host)";
    }

    private void recordUse(ApiToken t, Instant now) {
        Instant notBefore = now.minus(LAST_USE_RESOLUTION);
        Instant known = recordedUse.get(t.id());
        if (known == null) {
            known = t.lastUsedAt().orElse(null);
        }
        if (known != null && known.isAfter(notBefore)) {
            return;
        }
        try {
            db.transaction(tx -> new TokenDao(tx).recordUse(t.id(), now, notBefore));
            if (recordedUse.size() >= CACHE_MAX) {
                recordedUse.clear();
            }
            recordedUse.put(t.id(), now);
        } catch (RuntimeException e) {
            // bookkeeping only: the request goes on; the next one tries again
            LOG.debug("could not record the use of token {}: {}", t.id(), e.toString());
        }
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
