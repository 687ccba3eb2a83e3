package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.API_TOKENS;
import static dev.keyward.web.db.jooq.Tables.CONSOLE_SESSIONS;
import static dev.keyward.web.db.jooq.Tables.CONSOLE_SIGN_INS;

import dev.keyward.web.auth.Role;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;

/** The admin console's sessions and pending OIDC sign-ins (V11). Rows are found by hashes, never by secrets. */
public final class ConsoleSessionDao {
    private final DSLContext tx;

    public ConsoleSessionDao(DSLContext tx) {
        this.tx = tx;
    }

    /**
     * A session. {@code tokenUsable} is false when the API token it was opened with has since been revoked or has
     * expired (always true for a session opened through OIDC).
     */
    public record Session(String idHash, String csrfToken, String actor, String username, Role role,
            Optional<Long> tokenId, Instant createdAt, Instant lastSeenAt, Instant expiresAt, boolean tokenUsable) {
    }

    public void insert(Session s) {
        tx.insertInto(CONSOLE_SESSIONS)
                .set(CONSOLE_SESSIONS.ID_HASH, s.idHash())
                .set(CONSOLE_SESSIONS.CSRF_TOKEN, s.csrfToken())
                .set(CONSOLE_SESSIONS.ACTOR, s.actor())
                .set(CONSOLE_SESSIONS.USERNAME, s.username())
                .set(CONSOLE_SESSIONS.ROLE, s.role().label())
                .set(CONSOLE_SESSIONS.TOKEN_ID, s.tokenId().orElse(null))
                .set(CONSOLE_SESSIONS.CREATED_AT, utc(s.createdAt()))
                .set(CONSOLE_SESSIONS.LAST_SEEN_AT, utc(s.lastSeenAt()))
                .set(CONSOLE_SESSIONS.EXPIRES_AT, utc(s.expiresAt()))
                .execute();
    }

    /** The session with this hash, and whether its API token (if any) is still usable at {@code now}. */
    public Optional<Session> find(String idHash, Instant now) {
        Record r = tx.select(CONSOLE_SESSIONS.asterisk(), API_TOKENS.REVOKED_AT, API_TOKENS.EXPIRES_AT)
                .from(CONSOLE_SESSIONS).leftJoin(API_TOKENS).on(API_TOKENS.ID.eq(CONSOLE_SESSIONS.TOKEN_ID))
                .where(CONSOLE_SESSIONS.ID_HASH.eq(idHash)).fetchOne();
        if (r == null) {
            return Optional.empty();
        }
        Long tokenId = r.get(CONSOLE_SESSIONS.TOKEN_ID);
        boolean usable = tokenId == null || r.get(API_TOKENS.REVOKED_AT) == null
                && r.get(API_TOKENS.EXPIRES_AT).toInstant().isAfter(now);
        return Optional.of(new Session(r.get(CONSOLE_SESSIONS.ID_HASH), r.get(CONSOLE_SESSIONS.CSRF_TOKEN),
                r.get(CONSOLE_SESSIONS.ACTOR), r.get(CONSOLE_SESSIONS.USERNAME),
                Role.parse(r.get(CONSOLE_SESSIONS.ROLE)), Optional.ofNullable(tokenId),
                r.get(CONSOLE_SESSIONS.CREATED_AT).toInstant(), r.get(CONSOLE_SESSIONS.LAST_SEEN_AT).toInstant(),
                r.get(CONSOLE_SESSIONS.EXPIRES_AT).toInstant(), usable));
    }

    public void touch(String idHash, Instant now) {
        tx.update(CONSOLE_SESSIONS).set(CONSOLE_SESSIONS.LAST_SEEN_AT, utc(now))
                .where(CONSOLE_SESSIONS.ID_HASH.eq(idHash)).execute();
    }

    public boolean delete(String idHash) {
        return tx.deleteFrom(CONSOLE_SESSIONS).where(CONSOLE_SESSIONS.ID_HASH.eq(idHash)).execute() > 0;
    }

    /** Deletes sessions past their absolute expiry or idle since {@code idleSince}; returns how many. */
    public int deleteExpired(Instant now, Instant idleSince) {
        return tx.deleteFrom(CONSOLE_SESSIONS).where(CONSOLE_SESSIONS.EXPIRES_AT.le(utc(now))
                .or(CONSOLE_SESSIONS.LAST_SEEN_AT.lt(utc(idleSince)))).execute();
    }

    /** A pending OIDC sign-in: what the browser's return must match, and the PKCE verifier to send. */
    public record SignIn(String bindingHash, String state, String nonce, String codeVerifier, Instant createdAt) {
    }

    public void insertSignIn(SignIn s) {
        tx.insertInto(CONSOLE_SIGN_INS)
                .set(CONSOLE_SIGN_INS.BINDING_HASH, s.bindingHash())
                .set(CONSOLE_SIGN_INS.STATE, s.state())
                .set(CONSOLE_SIGN_INS.NONCE, s.nonce())
                .set(CONSOLE_SIGN_INS.CODE_VERIFIER, s.codeVerifier())
                .set(CONSOLE_SIGN_INS.CREATED_AT, utc(s.createdAt()))
                .execute();
    }

    /** Removes and returns the pending sign-in (each is used once, whatever the outcome). */
    public Optional<SignIn> takeSignIn(String bindingHash) {
        return tx.deleteFrom(CONSOLE_SIGN_INS).where(CONSOLE_SIGN_INS.BINDING_HASH.eq(bindingHash))
                .returning().fetchOptional()
                .map(r -> new SignIn(r.getBindingHash(), r.getState(), r.getNonce(), r.getCodeVerifier(),
                        r.getCreatedAt().toInstant()));
    }

    public int deleteSignInsBefore(Instant t) {
        return tx.deleteFrom(CONSOLE_SIGN_INS).where(CONSOLE_SIGN_INS.CREATED_AT.lt(utc(t))).execute();
    }

    private static OffsetDateTime utc(Instant t) {
        return TokenDao.utc(t);
    }
}
