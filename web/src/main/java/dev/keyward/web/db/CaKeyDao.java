package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.CA_KEYS;

import dev.keyward.ca.cert.CertType;
import dev.keyward.web.db.jooq.tables.records.CaKeysRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/** The CA keys the server signs with (and has signed with). */
public final class CaKeyDao {
    private final DSLContext tx;

    public CaKeyDao(DSLContext tx) {
        this.tx = tx;
    }

    /** A CA key row. */
    public record CaKeyRow(long id, CertType purpose, String keyUri, String publicKey, String fingerprint, String state,
            Instant createdAt) {
    }

    public Optional<CaKeyRow> active(CertType purpose) {
        return tx.selectFrom(CA_KEYS)
                .where(CA_KEYS.PURPOSE.eq(purpose.label()).and(CA_KEYS.STATE.eq("active")))
                .orderBy(CA_KEYS.ID.desc()).limit(1).fetchOptional().map(CaKeyDao::toRow);
    }

    public Optional<CaKeyRow> byFingerprint(String fingerprint) {
        return tx.selectFrom(CA_KEYS).where(CA_KEYS.FINGERPRINT.eq(fingerprint)).fetchOptional().map(CaKeyDao::toRow);
    }

    /** Every CA key ever used, for building the KRL (serials are revoked per CA key). */
    public List<CaKeyRow> all() {
        return tx.selectFrom(CA_KEYS).orderBy(CA_KEYS.ID).fetch(CaKeyDao::toRow);
    }

    public CaKeyRow insertActive(CertType purpose, String keyUri, String publicKey, String fingerprint, Instant at) {
        long id = tx.insertInto(CA_KEYS)
                .set(CA_KEYS.PURPOSE, purpose.label())
                .set(CA_KEYS.KEY_URI, keyUri)
                .set(CA_KEYS.PUBLIC_KEY, publicKey)
                .set(CA_KEYS.FINGERPRINT, fingerprint)
                .set(CA_KEYS.STATE, "active")
                .set(CA_KEYS.CREATED_AT, TokenDao.utc(at))
                .returning(CA_KEYS.ID).fetchSingle().getId();
        return new CaKeyRow(id, purpose, keyUri, publicKey, fingerprint, "active", at);
    }

    /** Retires every active key of {@code purpose} except {@code keepId}. */
    public int retireOthers(CertType purpose, long keepId) {
        return tx.update(CA_KEYS).set(CA_KEYS.STATE, "retired")
                .where(CA_KEYS.PURPOSE.eq(purpose.label()).and(CA_KEYS.STATE.eq("active")).and(CA_KEYS.ID.ne(keepId)))
                .execute();
    }

    public void activate(long id) {
        tx.update(CA_KEYS).set(CA_KEYS.STATE, "active").where(CA_KEYS.ID.eq(id)).execute();
    }

    private static CaKeyRow toRow(CaKeysRecord r) {
        return new CaKeyRow(r.getId(), dev.keyward.ca.cert.CertType.parse(r.getPurpose()), r.getKeyUri(),
                r.getPublicKey(), r.getFingerprint(), r.getState(), r.getCreatedAt().toInstant());
    }
}
