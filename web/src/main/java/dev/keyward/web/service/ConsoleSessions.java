package dev.keyward.web.service;

import dev.keyward.web.auth.ApiTokenSecrets;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.config.ConsoleConfig;
import dev.keyward.web.db.ConsoleSessionDao;
import dev.keyward.web.db.ConsoleSessionDao.Session;
import dev.keyward.web.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The admin console's server-side sessions. Opening one needs a caller the API authenticated (an API token or an
 * OIDC token) holding the admin or auditor role; engineers and hosts get no console. The session ID (256 random
 * bits) goes to the browser only; the database keeps its SHA-256, like API tokens. A session ends at sign-out, after
 * {@code console.session_idle} without use, {@code console.session_max} after sign-in, or when the API token it was
 * opened with is revoked or expires.
 */
public final class ConsoleSessions {
    /** How stale a session's recorded last use may get before a request refreshes it (one write a minute). */
    static final Duration TOUCH_RESOLUTION = Duration.ofMinutes(1);

    private final Database db;
    private final Clock clock;
    private final ConsoleConfig config;

    public ConsoleSessions(Database db, Clock clock, ConsoleConfig config) {
        this.db = db;
        this.clock = clock;
        this.config = config;
    }

    /** A session just opened: {@code id} goes into the cookie and nowhere else. */
    public record Opened(String id, Active session) {
    }

    /** A live session: who it is, and the CSRF token its forms carry. */
    public record Active(Caller caller, Role role, String csrfToken, Instant expiresAt) {
    }

    /** Opens a session for an authenticated caller; refuses anyone who is neither admin nor auditor. */
    public Opened open(Caller caller) {
        Role role = consoleRole(caller).orElseThrow(() -> new ForbiddenException("the console is for admins and"
                + " auditors; " + (caller.roles().isEmpty() ? "this identity holds no role"
                : "this identity holds the role " + caller.roles().stream().map(Role::label).sorted().toList())));
        Instant now = clock.instant();
        String id = ApiTokenSecrets.random();
        Session s = new Session(ApiTokenSecrets.hash(id), ApiTokenSecrets.random(), caller.actor(), caller.username(),
                role, caller.tokenId(), now, now, now.plus(config.sessionMax()), true);
        db.transaction(tx -> {
            ConsoleSessionDao dao = new ConsoleSessionDao(tx);
            dao.deleteExpired(now, now.minus(config.sessionIdle()));
            dao.insert(s);
            return null;
        });
        return new Opened(id, active(s));
    }

    /** Admin wins over auditor; other roles give no console. */
    public static Optional<Role> consoleRole(Caller caller) {
        if (caller.roles().contains(Role.ADMIN)) {
            return Optional.of(Role.ADMIN);
        }
        return caller.roles().contains(Role.AUDITOR) ? Optional.of(Role.AUDITOR) : Optional.empty();
    }

    /** The live session with this ID; empty when unknown, expired, idle too long, or its token is no longer usable. */
    public Optional<Active> find(String id) {
        if (id == null || id.length() != 43) {
            return Optional.empty();
        }
        String hash = ApiTokenSecrets.hash(id);
        Instant now = clock.instant();
        Optional<Session> found = db.read(tx -> new ConsoleSessionDao(tx).find(hash, now));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Session s = found.get();
        if (!now.isBefore(s.expiresAt()) || !now.isBefore(s.lastSeenAt().plus(config.sessionIdle()))
                || !s.tokenUsable()) {
            db.transaction(tx -> new ConsoleSessionDao(tx).delete(hash));
            return Optional.empty();
        }
        if (s.lastSeenAt().isBefore(now.minus(TOUCH_RESOLUTION))) {
            db.transaction(tx -> {
                new ConsoleSessionDao(tx).touch(hash, now);
                return null;
            });
        }
        return Optional.of(active(s));
    }

    /** Sign-out: the row is deleted, so the cookie signs no one in any more. */
    public void close(String id) {
        if (id != null && id.length() == 43) {
            db.transaction(tx -> new ConsoleSessionDao(tx).delete(ApiTokenSecrets.hash(id)));
        }
    }

    private static Active active(Session s) {
        return new Active(new Caller(s.actor(), s.username(), Set.of(s.role()), List.of(), s.tokenId(), List.of()),
                s.role(), s.csrfToken(), s.expiresAt());
    }
}
