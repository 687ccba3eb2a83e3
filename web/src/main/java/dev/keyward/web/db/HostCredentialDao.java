package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.API_TOKENS;
import static dev.keyward.web.db.jooq.Tables.HOSTS;
import static dev.keyward.web.db.jooq.Tables.HOST_CREDENTIAL_CHALLENGES;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Host credentials beyond enrollment: the challenges a host signs to renew its credential, and the renewed
 * credential that waits (in {@code hosts.pending_token_id}) until its first use makes it the host's credential.
 */
public final class HostCredentialDao {
    private final DSLContext tx;

    public HostCredentialDao(DSLContext tx) {
        this.tx = tx;
    }

    /** A challenge row (never its secret, only the host it was issued to and its times). */
    public record Challenge(long id, long hostId, Instant expiresAt, Optional<Instant> usedAt) {
    }

    /** The facts about a host's credential that listings show. */
    public record CredentialFacts(long tokenId, Instant expiresAt, Optional<Instant> revokedAt) {
    }

    public long insertChallenge(long hostId, String challengeHash, Instant at, Instant expiresAt) {
        return tx.insertInto(HOST_CREDENTIAL_CHALLENGES)
                .set(HOST_CREDENTIAL_CHALLENGES.HOST_ID, hostId)
                .set(HOST_CREDENTIAL_CHALLENGES.CHALLENGE_HASH, challengeHash)
                .set(HOST_CREDENTIAL_CHALLENGES.CREATED_AT, TokenDao.utc(at))
                .set(HOST_CREDENTIAL_CHALLENGES.EXPIRES_AT, TokenDao.utc(expiresAt))
                .returning(HOST_CREDENTIAL_CHALLENGES.ID).fetchSingle().getId();
    }

    /**
     * Deletes the host's challenges that were used or have expired, and all but its {@code keep} newest live ones,
     * so a host asking again and again keeps a handful of rows.
     */
    public void pruneChallenges(long hostId, Instant now, int keep) {
        var c = HOST_CREDENTIAL_CHALLENGES;
        tx.deleteFrom(c).where(c.HOST_ID.eq(hostId)
                .and(c.USED_AT.isNotNull().or(c.EXPIRES_AT.le(TokenDao.utc(now))))).execute();
        tx.deleteFrom(c).where(c.HOST_ID.eq(hostId).and(c.ID.notIn(
                tx.select(c.ID).from(c).where(c.HOST_ID.eq(hostId)).orderBy(c.ID.desc()).limit(keep)))).execute();
    }

    /** The challenge with this hash, locked for the rest of the transaction (two redemptions race on it). */
    public Optional<Challenge> lockChallenge(String challengeHash) {
        var c = HOST_CREDENTIAL_CHALLENGES;
        return tx.selectFrom(c).where(c.CHALLENGE_HASH.eq(challengeHash)).forUpdate().fetchOptional()
                .map(r -> new Challenge(r.getId(), r.getHostId(), r.getExpiresAt().toInstant(),
                        HostDao.instant(r.getUsedAt())));
    }

    public void markChallengeUsed(long id, Instant at) {
        var c = HOST_CREDENTIAL_CHALLENGES;
        tx.update(c).set(c.USED_AT, TokenDao.utc(at)).where(c.ID.eq(id)).execute();
    }

    /** The host's renewed credential that has not been used yet, if any. */
    public Optional<Long> pending(long hostId) {
        return Optional.ofNullable(tx.select(HOSTS.PENDING_TOKEN_ID).from(HOSTS).where(HOSTS.ID.eq(hostId))
                .fetchOne(HOSTS.PENDING_TOKEN_ID));
    }

    /** Parks a renewed credential until its first use; null clears it. */
    public void setPending(long hostId, Long tokenId) {
        tx.update(HOSTS).set(HOSTS.PENDING_TOKEN_ID, tokenId).where(HOSTS.ID.eq(hostId)).execute();
    }

    /**
     * Makes the pending credential {@code tokenId} the host's credential; false when it is no longer pending
     * (another request got there first).
     */
    public boolean activate(long hostId, long tokenId) {
        return tx.update(HOSTS).set(HOSTS.TOKEN_ID, tokenId).setNull(HOSTS.PENDING_TOKEN_ID)
                .where(HOSTS.ID.eq(hostId).and(HOSTS.PENDING_TOKEN_ID.eq(tokenId))).execute() == 1;
    }

    /** The credential in use (not a pending one) of each of these hosts that has one. */
    public Map<Long, CredentialFacts> credentials(Collection<Long> hostIds) {
        Map<Long, CredentialFacts> m = new LinkedHashMap<>();
        if (!hostIds.isEmpty()) {
            tx.select(HOSTS.ID, API_TOKENS.ID, API_TOKENS.EXPIRES_AT, API_TOKENS.REVOKED_AT).from(HOSTS)
                    .join(API_TOKENS).on(API_TOKENS.ID.eq(HOSTS.TOKEN_ID))
                    .where(HOSTS.ID.in(hostIds))
                    .forEach(r -> m.put(r.value1(), new CredentialFacts(r.value2(), r.value3().toInstant(),
                            HostDao.instant(r.value4()))));
        }
        return m;
    }
}
