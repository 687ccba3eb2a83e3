package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.policy.Principals;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.auth.ApiToken;
import dev.keyward.web.auth.ApiTokenSecrets;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.config.Durations;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.TokenDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Creates, lists and revokes API tokens. */
public final class TokenService {
    /** Advisory lock key serialising the bootstrap of several nodes starting at once ("kwboot"). */
    static final long BOOTSTRAP_LOCK = 0x6b77626f6f74L;

    private final Database db;
    private final Clock clock;
    private final Duration maxTtl;

    public TokenService(Database db, Clock clock, Duration maxTtl) {
        this.db = db;
        this.clock = clock;
        this.maxTtl = maxTtl;
    }

    /**
     * A token request.
     *
     * @param username   the identity the token acts as; required for engineer tokens, defaults to name otherwise
     * @param principals host tokens only: the host's registered names, the only principals its certs may carry
     */
    public record CreateToken(String name, Role role, Optional<String> username, List<String> principals,
            Duration ttl) {
        public CreateToken {
            principals = principals == null ? List.of() : List.copyOf(principals);
        }
    }

    /** The stored token and its secret, which is shown once and not kept. */
    public record CreatedToken(ApiToken token, String secret) {
    }

    public CreatedToken create(Caller actor, CreateToken req) {
        checkName(req.name());
        String username = req.username().map(String::strip).filter(u -> !u.isEmpty()).orElseGet(() -> {
            if (req.role() == Role.ENGINEER) {
                throw new InvalidInputException("username is required for engineer tokens (it becomes the"
                        + " certificate principal)");
            }
            String fromName = req.name().strip();
            Principals.problem(fromName).ifPresent(p -> {
                throw new InvalidInputException("give a username: the name '" + Principals.printable(fromName)
                        + "' cannot serve as one (" + p + ")");
            });
            return fromName;
        });
        checkUsername("username", username);
        if (req.role() == Role.HOST) {
            if (req.principals().isEmpty()) {
                throw new InvalidInputException("principals is required for host tokens: the host's registered names"
                        + " (e.g. [\"web1.example.com\"])");
            }
            req.principals().forEach(p -> checkHostName("principal", p));
            if (new LinkedHashSet<>(req.principals()).size() != req.principals().size()) {
                throw new InvalidInputException("principals contains a duplicate");
            }
        } else if (!req.principals().isEmpty()) {
            throw new InvalidInputException("principals only apply to host tokens; an " + req.role().label()
                    + " token's principals come from the issuance policy");
        }
        if (req.ttl().compareTo(maxTtl) > 0) {
            throw new InvalidInputException("ttl " + Durations.format(req.ttl()) + " is longer than the maximum "
                    + Durations.format(maxTtl) + " (tokens.max_ttl)");
        }
        String secret = ApiTokenSecrets.generate();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        TokenDao.NewToken row = new TokenDao.NewToken(req.name().strip(), req.role(), username, req.principals(),
                ApiTokenSecrets.hash(secret), actor.actor(), now, now.plus(req.ttl()));
        ApiToken token = db.transaction(tx -> {
            ApiToken t = new TokenDao(tx).insert(row);
            new AuditLog(tx).append(actor.actor(), "token.create", "token:" + t.id(), details(t));
            return t;
        });
        return new CreatedToken(token, secret);
    }

    /**
     * Creates the bootstrap admin token if there is no admin token yet; several nodes starting together create
     * at most one (advisory lock).
     */
    public Optional<CreatedToken> bootstrapAdmin(Duration ttl) {
        String secret = ApiTokenSecrets.generate();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Optional<ApiToken> created = db.transaction(tx -> {
            tx.execute("SELECT pg_advisory_xact_lock(" + BOOTSTRAP_LOCK + ")");
            TokenDao tokens = new TokenDao(tx);
            if (tokens.anyAdmin()) {
                return Optional.empty();
            }
            ApiToken t = tokens.insert(new TokenDao.NewToken("bootstrap-admin", Role.ADMIN, "admin", List.of(),
                    ApiTokenSecrets.hash(secret), "system", now, now.plus(ttl)));
            new AuditLog(tx).append("system", "token.create", "token:" + t.id(), details(t));
            return Optional.of(t);
        });
        return created.map(t -> new CreatedToken(t, secret));
    }

    public List<ApiToken> list(int limit, int offset) {
        return db.read(dsl -> new TokenDao(dsl).list(limit, offset));
    }

    /** Revokes token {@code id}; NotFoundException if there is none. Revoking twice is a no-op. */
    public ApiToken revoke(Caller actor, long id) {
        Instant now = clock.instant();
        ApiToken revoked = db.transaction(tx -> {
            TokenDao tokens = new TokenDao(tx);
            ApiToken t = tokens.findById(id).orElseThrow(() -> new NotFoundException("there is no token " + id));
            if (tokens.revoke(id, now)) {
                new AuditLog(tx).append(actor.actor(), "token.delete", "token:" + id, details(t));
            }
            return tokens.findById(id).orElseThrow();
        });
        // this node refuses the token from now on; other nodes within ApiTokenAuthenticator's 1 s cache
        dev.keyward.web.auth.ApiTokenAuthenticator.tokensChanged();
        return revoked;
    }

    private static Map<String, Object> details(ApiToken t) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", t.id());
        d.put("name", t.name());
        d.put("role", t.role().label());
        d.put("username", t.username());
        d.put("principals", t.principals());
        d.put("expires_at", t.expiresAt().toString());
        return d;
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("name is required");
        }
        if (name.length() > 255 || name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("name must be at most 255 characters without control characters");
        }
    }

    /**
     * A username (it becomes a principal through {{username}}), checked with the issuance policy's own principal
     * rules, so that no token is created whose certificates issuance would refuse.
     */
    static void checkUsername(String what, String v) {
        check(what, v, Principals.problem(v == null ? "" : v));
    }

    /**
     * A host's name (a host-certificate principal), checked with the issuance policy's rules for host names: no
     * {@code *} or {@code ?}, which ssh would read as wildcards.
     */
    static void checkHostName(String what, String v) {
        check(what, v, Principals.hostProblem(v == null ? "" : v));
    }

    private static void check(String what, String v, Optional<String> problem) {
        problem.ifPresent(p -> {
            throw new InvalidInputException(what + " '" + Principals.printable(v == null ? "" : v) + "' is not"
                    + " accepted: " + p);
        });
    }
}
