package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.CA_KEYS;
import static dev.keyward.web.db.jooq.Tables.CA_TRUST_STATE;
import static dev.keyward.web.db.jooq.Tables.CERTIFICATES;

import dev.keyward.ca.cert.CertType;
import dev.keyward.web.db.jooq.tables.records.CaKeysRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The CA keys the server signs with, has signed with and will sign with ({@code ca_keys}), and the trust bundle
 * version ({@code ca_trust_state}).
 */
public final class CaKeyDao {
    private final DSLContext tx;

    public CaKeyDao(DSLContext tx) {
        this.tx = tx;
    }

    /**
     * A CA key row.
     *
     * @param trustedUntil for a retired key: when the last certificate it signed expires
     * @param trustEndedAt when it left the trust bundle
     * @param trustVersion the trust bundle version that first listed it
     */
    public record CaKeyRow(long id, CertType purpose, String keyUri, String publicKey, String fingerprint,
            CaKeyState state, Instant createdAt, Optional<Instant> activatedAt, Optional<Instant> retiredAt,
            Optional<Instant> trustedUntil, Optional<Instant> trustEndedAt, Optional<Instant> destroyedAt,
            Optional<Instant> revokedAt, Optional<String> revocationReason, long trustVersion) {

        /**
         * Whether servers and clients should trust certificates it signed: pending and active keys, and retired
         * keys until the last certificate they signed expired.
         */
        public boolean trusted() {
            return switch (state) {
                case PENDING, ACTIVE -> true;
                case RETIRED -> trustEndedAt.isEmpty();
                case DESTROYED, REVOKED -> false;
            };
        }
    }

    public Optional<CaKeyRow> active(CertType purpose) {
        return tx.selectFrom(CA_KEYS)
                .where(CA_KEYS.PURPOSE.eq(purpose.label()).and(CA_KEYS.STATE.eq(CaKeyState.ACTIVE.label())))
                .orderBy(CA_KEYS.ID.desc()).limit(1).fetchOptional().map(CaKeyDao::toRow);
    }

    public Optional<CaKeyRow> byId(long id) {
        return tx.selectFrom(CA_KEYS).where(CA_KEYS.ID.eq(id)).fetchOptional().map(CaKeyDao::toRow);
    }

    /** The row, locked until the transaction ends (every lifecycle step holds the row it changes). */
    public Optional<CaKeyRow> byIdForUpdate(long id) {
        return tx.selectFrom(CA_KEYS).where(CA_KEYS.ID.eq(id)).forUpdate().fetchOptional().map(CaKeyDao::toRow);
    }

    public Optional<CaKeyRow> byFingerprint(String fingerprint) {
        return tx.selectFrom(CA_KEYS).where(CA_KEYS.FINGERPRINT.eq(fingerprint)).fetchOptional().map(CaKeyDao::toRow);
    }

    /** The newest row with this key reference. */
    public Optional<CaKeyRow> byKeyUri(String keyUri) {
        return tx.selectFrom(CA_KEYS).where(CA_KEYS.KEY_URI.eq(keyUri)).orderBy(CA_KEYS.ID.desc()).limit(1)
                .fetchOptional().map(CaKeyDao::toRow);
    }

    /** Every CA key ever recorded, oldest first (the KRL lists revoked serials per CA key). */
    public List<CaKeyRow> all() {
        return tx.selectFrom(CA_KEYS).orderBy(CA_KEYS.ID).fetch(CaKeyDao::toRow);
    }

    /** The ids of the active keys: what a node compares with the signers it holds. */
    public Map<CertType, Long> activeIds() {
        Map<CertType, Long> m = new HashMap<>();
        tx.select(CA_KEYS.PURPOSE, CA_KEYS.ID).from(CA_KEYS).where(CA_KEYS.STATE.eq(CaKeyState.ACTIVE.label()))
                .forEach(r -> m.put(CertType.parse(r.value1()), r.value2()));
        return m;
    }

    public int countForPurpose(CertType purpose) {
        return tx.fetchCount(CA_KEYS, CA_KEYS.PURPOSE.eq(purpose.label()));
    }

    public CaKeyRow insert(CertType purpose, String keyUri, String publicKey, String fingerprint, CaKeyState state,
            Instant at, long trustVersion) {
        long id = tx.insertInto(CA_KEYS)
                .set(CA_KEYS.PURPOSE, purpose.label())
                .set(CA_KEYS.KEY_URI, keyUri)
                .set(CA_KEYS.PUBLIC_KEY, publicKey)
                .set(CA_KEYS.FINGERPRINT, fingerprint)
                .set(CA_KEYS.STATE, state.label())
                .set(CA_KEYS.CREATED_AT, TokenDao.utc(at))
                .set(CA_KEYS.ACTIVATED_AT, state == CaKeyState.ACTIVE ? TokenDao.utc(at) : null)
                .set(CA_KEYS.TRUST_VERSION, trustVersion)
                .returning(CA_KEYS.ID).fetchSingle().getId();
        return byId(id).orElseThrow();
    }

    public void activate(long id, Instant at) {
        tx.update(CA_KEYS).set(CA_KEYS.STATE, CaKeyState.ACTIVE.label()).set(CA_KEYS.ACTIVATED_AT, TokenDao.utc(at))
                .where(CA_KEYS.ID.eq(id)).execute();
    }

    /** Retires the active key of {@code purpose}, if any other than {@code keepId}; returns its id. */
    public Optional<Long> retireActive(CertType purpose, long keepId, Instant at) {
        return tx.update(CA_KEYS).set(CA_KEYS.STATE, CaKeyState.RETIRED.label()).set(CA_KEYS.RETIRED_AT, TokenDao.utc(at))
                .where(CA_KEYS.PURPOSE.eq(purpose.label()).and(CA_KEYS.STATE.eq(CaKeyState.ACTIVE.label()))
                        .and(CA_KEYS.ID.ne(keepId)))
                .returning(CA_KEYS.ID).fetchOptional().map(CaKeysRecord::getId);
    }

    public void setTrustedUntil(long id, Instant until) {
        tx.update(CA_KEYS).set(CA_KEYS.TRUSTED_UNTIL, TokenDao.utc(until)).where(CA_KEYS.ID.eq(id)).execute();
    }

    /** Takes the key out of the trust bundle (if it is still in it). */
    public void endTrust(long id, Instant at) {
        tx.update(CA_KEYS).set(CA_KEYS.TRUST_ENDED_AT, TokenDao.utc(at))
                .where(CA_KEYS.ID.eq(id).and(CA_KEYS.TRUST_ENDED_AT.isNull())).execute();
    }

    public void markDestroyed(long id, Instant at) {
        tx.update(CA_KEYS).set(CA_KEYS.STATE, CaKeyState.DESTROYED.label()).set(CA_KEYS.DESTROYED_AT, TokenDao.utc(at))
                .where(CA_KEYS.ID.eq(id)).execute();
        endTrust(id, at);
    }

    public void markRevoked(long id, Instant at, String reason) {
        tx.update(CA_KEYS).set(CA_KEYS.STATE, CaKeyState.REVOKED.label()).set(CA_KEYS.REVOKED_AT, TokenDao.utc(at))
                .set(CA_KEYS.REVOCATION_REASON, reason).where(CA_KEYS.ID.eq(id)).execute();
        endTrust(id, at);
    }

    /** Retired keys still in the trust bundle whose last certificate expired at or before {@code now}. */
    public List<CaKeyRow> retiredAndExpired(Instant now) {
        return tx.selectFrom(CA_KEYS)
                .where(CA_KEYS.STATE.eq(CaKeyState.RETIRED.label()).and(CA_KEYS.TRUST_ENDED_AT.isNull())
                        .and(CA_KEYS.TRUSTED_UNTIL.le(TokenDao.utc(now))))
                .orderBy(CA_KEYS.ID).fetch(CaKeyDao::toRow);
    }

    /**
     * When the last unrevoked certificate signed by the key expires; empty if none is valid at {@code now}. Reads
     * only certificates valid at {@code now} (the {@code valid_before} index).
     */
    public Optional<Instant> lastValidBefore(long caKeyId, Instant now) {
        OffsetDateTime t = tx.select(DSL.max(CERTIFICATES.VALID_BEFORE)).from(CERTIFICATES)
                .where(CERTIFICATES.VALID_BEFORE.gt(TokenDao.utc(now)).and(CERTIFICATES.CA_KEY_ID.eq(caKeyId))
                        .and(CERTIFICATES.REVOKED_AT.isNull()))
                .fetchOne(0, OffsetDateTime.class);
        return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
    }

    /** Unrevoked certificates valid at {@code now}, per CA key (keys without any are absent). */
    public Map<Long, Long> validCertificates(Instant now) {
        Map<Long, Long> m = new HashMap<>();
        tx.select(CERTIFICATES.CA_KEY_ID, DSL.count()).from(CERTIFICATES)
                .where(CERTIFICATES.VALID_BEFORE.gt(TokenDao.utc(now)).and(CERTIFICATES.REVOKED_AT.isNull()))
                .groupBy(CERTIFICATES.CA_KEY_ID)
                .forEach(r -> m.put(r.value1(), r.value2().longValue()));
        return m;
    }

    /** The trust bundle version now. */
    public long trustVersion() {
        return tx.select(CA_TRUST_STATE.VERSION).from(CA_TRUST_STATE).where(CA_TRUST_STATE.ID.eq(1)).fetchSingle()
                .value1();
    }

    /** Raises the trust bundle version (the row stays locked until the transaction ends) and returns it. */
    public long bumpTrustVersion(Instant at) {
        return tx.update(CA_TRUST_STATE).set(CA_TRUST_STATE.VERSION, CA_TRUST_STATE.VERSION.plus(1))
                .set(CA_TRUST_STATE.UPDATED_AT, TokenDao.utc(at)).where(CA_TRUST_STATE.ID.eq(1))
                .returning(CA_TRUST_STATE.VERSION).fetchSingle().getVersion();
    }

    private static CaKeyRow toRow(CaKeysRecord r) {
        return new CaKeyRow(r.getId(), CertType.parse(r.getPurpose()), r.getKeyUri(), r.getPublicKey(),
                r.getFingerprint(), CaKeyState.parse(r.getState()), r.getCreatedAt().toInstant(),
                instant(r.getActivatedAt()), instant(r.getRetiredAt()), instant(r.getTrustedUntil()),
                instant(r.getTrustEndedAt()), instant(r.getDestroyedAt()), instant(r.getRevokedAt()),
                Optional.ofNullable(r.getRevocationReason()), r.getTrustVersion());
    }

    private static Optional<Instant> instant(OffsetDateTime t) {
        return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
    }
}
