package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.AUDIT_KEYS;

import dev.keyward.web.db.jooq.tables.records.AuditKeysRecord;
import java.time.Instant;
import java.util.Optional;
import org.jooq.DSLContext;

/** The audit key's record ({@code audit_keys}): which key signs checkpoints, and which ones did before. */
public final class AuditKeyDao {
    private final DSLContext tx;

    public AuditKeyDao(DSLContext tx) {
        this.tx = tx;
    }

    /** An audit key row. */
    public record AuditKeyRow(long id, String keyUri, String publicKey, String fingerprint, String state,
            Instant createdAt) {
    }

    public Optional<AuditKeyRow> active() {
        return tx.selectFrom(AUDIT_KEYS).where(AUDIT_KEYS.STATE.eq("active")).orderBy(AUDIT_KEYS.ID.desc()).limit(1)
                .fetchOptional().map(AuditKeyDao::toRow);
    }

    public Optional<AuditKeyRow> byFingerprint(String fingerprint) {
        return tx.selectFrom(AUDIT_KEYS).where(AUDIT_KEYS.FINGERPRINT.eq(fingerprint)).fetchOptional()
                .map(AuditKeyDao::toRow);
    }

    public AuditKeyRow insertActive(String keyUri, String publicKey, String fingerprint, Instant at) {
        long id = tx.insertInto(AUDIT_KEYS)
                .set(AUDIT_KEYS.KEY_URI, keyUri)
                .set(AUDIT_KEYS.PUBLIC_KEY, publicKey)
                .set(AUDIT_KEYS.FINGERPRINT, fingerprint)
                .set(AUDIT_KEYS.STATE, "active")
                .set(AUDIT_KEYS.CREATED_AT, TokenDao.utc(at))
                .returning(AUDIT_KEYS.ID).fetchSingle().getId();
        return new AuditKeyRow(id, keyUri, publicKey, fingerprint, "active", at);
    }

    /** Makes {@code id} the one active audit key. */
    public void activateOnly(long id) {
        tx.update(AUDIT_KEYS).set(AUDIT_KEYS.STATE, "retired").where(AUDIT_KEYS.STATE.eq("active"))
                .and(AUDIT_KEYS.ID.ne(id)).execute();
        tx.update(AUDIT_KEYS).set(AUDIT_KEYS.STATE, "active").where(AUDIT_KEYS.ID.eq(id)).execute();
    }

    private static AuditKeyRow toRow(AuditKeysRecord r) {
        return new AuditKeyRow(r.getId(), r.getKeyUri(), r.getPublicKey(), r.getFingerprint(), r.getState(),
                r.getCreatedAt().toInstant());
    }
}
