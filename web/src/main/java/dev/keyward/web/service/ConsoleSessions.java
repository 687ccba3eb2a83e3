package dev.keyward.web.service;

import dev.keyward.web.audit.AuditLog;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The admin console's server-side sessions. Opening one needs a caller the API authenticated (an API token or an
 * OIDC token) holding the admin or auditor role; engineers and hosts get no console. The session ID (256 random
 * bits) goes to the browser only; the database keeps its SHA-256, like API tokens. A session ends at sign-out, after
 * {@code console.session_idle} without use, {@code console.session_max} after sign-in, or when the API token it was
 * opened with is revoked or expires.
 *
 * <p>Signing in, a refused sign-in and signing out are audited ({@code console.sign_in},
 * {@code console.sign_in_refused}, {@code console.sign_out}) with the method, the client address and, for a token,
 * the token's ID; never a token, a session ID or a CSRF token. A session that runs out is not audited.
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

    /** How a person signed in (the audit log's {@code method}). */
    public enum Method {
        TOKEN, OIDC;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Opens a session for an authenticated caller (audited); refuses anyone who is neither admin nor auditor. */
    public Opened open(Caller caller, Method method, String source) {
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
            Map<String, Object> d = details(method, source);
            d.put("role", role.label());
            caller.tokenId().ifPresent(t -> d.put("token_id", t));
            new AuditLog(tx).append(caller.actor(), "console.sign_in", "console", d);
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

    /** Sign-out: the row is deleted (and the sign-out audited), so the cookie signs no one in any more. */
    public void close(String id, Caller caller, String source) {
        if (id != null && id.length() == 43) {
            db.transaction(tx -> {
                if (new ConsoleSessionDao(tx).delete(ApiTokenSecrets.hash(id))) {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("source", source);
                    new AuditLog(tx).append(caller.actor(), "console.sign_out", "console", d);
                }
                return null;
            });
        }
    }

    /**
     * Records a refused sign-in. {@code actor}: who it was when the credential was good but opens no console (an
     * engineer's token), else {@code anonymous}; {@code reason}: why, as the sign-in page said it (never the
     * credential). What bounds these rows is {@code http.limits.auth_failures_per_source}, which every refused sign-in
     * is charged to before this is called.
     */
    public void refused(Optional<Caller> caller, Method method, String reason, String source) {
        Map<String, Object> d = details(method, source);
        d.put("reason", reason.length() > 200 ? reason.substring(0, 200) + "..." : reason);
        caller.flatMap(Caller::tokenId).ifPresent(t -> d.put("token_id", t));
        db.transaction(tx -> new AuditLog(tx).append(caller.map(Caller::actor).orElse("anonymous"),
                "console.sign_in_refused", "console", d));
    }

    private static Map<String, Object> details(Method method, String source) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("method", method.label());
        d.put("source", source);
        return d;
    }

    private static Active active(Session s) {
        return new Active(new Caller(s.actor(), s.username(), Set.of(s.role()), List.of(), s.tokenId(), List.of()),
                s.role(), s.csrfToken(), s.expiresAt());
    }
}
