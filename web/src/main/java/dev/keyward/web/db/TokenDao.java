package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.API_TOKENS;
import static dev.keyward.web.db.jooq.Tables.API_TOKEN_PRINCIPALS;

import dev.keyward.web.auth.ApiToken;
import dev.keyward.web.auth.Role;
import dev.keyward.web.db.jooq.tables.records.ApiTokensRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/** API tokens and the host names of host tokens. */
public final class TokenDao {
    private final DSLContext tx;

    public TokenDao(DSLContext tx) {
        this.tx = tx;
    }

    /** A token to insert. */
    public record NewToken(String name, Role role, String username, List<String> principals, String tokenHash,
            String createdBy, Instant createdAt, Instant expiresAt) {
    }

    public ApiToken insert(NewToken t) {
        long id = tx.insertInto(API_TOKENS)
                .set(API_TOKENS.NAME, t.name())
                .set(API_TOKENS.ROLE, t.role().label())
                .set(API_TOKENS.USERNAME, t.username())
                .set(API_TOKENS.TOKEN_HASH, t.tokenHash())
                .set(API_TOKENS.CREATED_BY, t.createdBy())
                .set(API_TOKENS.CREATED_AT, utc(t.createdAt()))
                .set(API_TOKENS.EXPIRES_AT, utc(t.expiresAt()))
                .returning(API_TOKENS.ID)
                .fetchSingle()
                .getId();
        for (String p : t.principals()) {
            tx.insertInto(API_TOKEN_PRINCIPALS).set(API_TOKEN_PRINCIPALS.TOKEN_ID, id)
                    .set(API_TOKEN_PRINCIPALS.PRINCIPAL, p).execute();
        }
        return new ApiToken(id, t.name(), t.role(), t.username(), t.principals(), t.createdBy(), t.createdAt(),
                t.expiresAt(), Optional.empty(), Optional.empty());
    }

    public Optional<ApiToken> findByHash(String tokenHash) {
        ApiTokensRecord r = tx.selectFrom(API_TOKENS).where(API_TOKENS.TOKEN_HASH.eq(tokenHash)).fetchOne();
        return r == null ? Optional.empty() : Optional.of(toToken(r, principalsOf(r.getId())));
    }

    public Optional<ApiToken> findById(long id) {
        ApiTokensRecord r = tx.selectFrom(API_TOKENS).where(API_TOKENS.ID.eq(id)).fetchOne();
        return r == null ? Optional.empty() : Optional.of(toToken(r, principalsOf(r.getId())));
    }

    /** All tokens, newest first, paged. */
    public List<ApiToken> list(int limit, int offset) {
        List<ApiTokensRecord> rows = tx.selectFrom(API_TOKENS).orderBy(API_TOKENS.ID.desc()).limit(limit)
                .offset(offset).fetch();
        Map<Long, List<String>> principals = new LinkedHashMap<>();
        if (!rows.isEmpty()) {
            tx.selectFrom(API_TOKEN_PRINCIPALS)
                    .where(API_TOKEN_PRINCIPALS.TOKEN_ID.in(rows.stream().map(ApiTokensRecord::getId).toList()))
                    .orderBy(API_TOKEN_PRINCIPALS.PRINCIPAL)
                    .forEach(p -> principals.computeIfAbsent(p.getTokenId(), k -> new ArrayList<>()).add(p.getPrincipal()));
        }
        return rows.stream().map(r -> toToken(r, principals.getOrDefault(r.getId(), List.of()))).toList();
    }

    public boolean anyAdmin() {
        return tx.fetchExists(API_TOKENS, API_TOKENS.ROLE.eq(Role.ADMIN.label()));
    }

    /** Marks the token revoked; false if it does not exist or was already revoked. */
    public boolean revoke(long id, Instant at) {
        return tx.update(API_TOKENS).set(API_TOKENS.REVOKED_AT, utc(at))
                .where(API_TOKENS.ID.eq(id).and(API_TOKENS.REVOKED_AT.isNull())).execute() == 1;
    }

    /**
     * Records that the token was used at {@code at}, unless a use at or after {@code notBefore} is already
     * recorded (another node, or an earlier request); true if the row changed.
     */
    public boolean recordUse(long id, Instant at, Instant notBefore) {
        return tx.update(API_TOKENS).set(API_TOKENS.LAST_USED_AT, utc(at))
                .where(API_TOKENS.ID.eq(id)
                        .and(API_TOKENS.LAST_USED_AT.isNull().or(API_TOKENS.LAST_USED_AT.lt(utc(notBefore)))))
                .execute() == 1;
    }

    private List<String> principalsOf(long id) {
        return tx.select(API_TOKEN_PRINCIPALS.PRINCIPAL).from(API_TOKEN_PRINCIPALS)
                .where(API_TOKEN_PRINCIPALS.TOKEN_ID.eq(id)).orderBy(API_TOKEN_PRINCIPALS.PRINCIPAL)
                .fetch(API_TOKEN_PRINCIPALS.PRINCIPAL);
    }

    private static ApiToken toToken(ApiTokensRecord r, List<String> principals) {
        return new ApiToken(r.getId(), r.getName(), Role.parse(r.getRole()), r.getUsername(), principals,
                r.getCreatedBy(), r.getCreatedAt().toInstant(), r.getExpiresAt().toInstant(),
                Optional.ofNullable(r.getRevokedAt()).map(OffsetDateTime::toInstant),
                Optional.ofNullable(r.getLastUsedAt()).map(OffsetDateTime::toInstant));
    }

    static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
