package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.KRL_STATE;
import static dev.keyward.web.db.jooq.Tables.REVOCATIONS;

import dev.keyward.web.db.jooq.tables.records.RevocationsRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/** Revocations of keys and key IDs, and the KRL version they bump. */
public final class RevocationDao {
    private final DSLContext tx;

    public RevocationDao(DSLContext tx) {
        this.tx = tx;
    }

    /** What is revoked: a whole public key, a key fingerprint, or every certificate with a key ID. */
    public enum Kind {
        KEY, FINGERPRINT, KEY_ID;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A stored revocation. */
    public record Revocation(long id, Kind kind, Optional<String> keyFingerprint, Optional<String> publicKey,
            Optional<String> keyId, String reason, String revokedBy, Instant revokedAt) {
    }

    public Revocation insert(Kind kind, Optional<String> fingerprint, Optional<String> publicKey, Optional<String> keyId,
            String reason, String revokedBy, Instant at) {
        long id = tx.insertInto(REVOCATIONS)
                .set(REVOCATIONS.KIND, kind.label())
                .set(REVOCATIONS.KEY_FINGERPRINT, fingerprint.orElse(null))
                .set(REVOCATIONS.PUBLIC_KEY, publicKey.orElse(null))
                .set(REVOCATIONS.KEY_ID, keyId.orElse(null))
                .set(REVOCATIONS.REASON, reason)
                .set(REVOCATIONS.REVOKED_BY, revokedBy)
                .set(REVOCATIONS.REVOKED_AT, TokenDao.utc(at))
                .returning(REVOCATIONS.ID).fetchSingle().getId();
        return new Revocation(id, kind, fingerprint, publicKey, keyId, reason, revokedBy, at);
    }

    public List<Revocation> all() {
        return tx.selectFrom(REVOCATIONS).orderBy(REVOCATIONS.ID).fetch(RevocationDao::toRevocation);
    }

    /** Whether a key with this fingerprint was revoked (as a key or by fingerprint). */
    public boolean isKeyRevoked(String fingerprint) {
        return tx.fetchExists(REVOCATIONS, REVOCATIONS.KEY_FINGERPRINT.eq(fingerprint));
    }

    /** Which of {@code fingerprints} are revoked (as keys or by fingerprint). */
    public java.util.Set<String> revokedFingerprintsAmong(java.util.Collection<String> fingerprints) {
        return new java.util.HashSet<>(tx.selectDistinct(REVOCATIONS.KEY_FINGERPRINT).from(REVOCATIONS)
                .where(REVOCATIONS.KEY_FINGERPRINT.in(fingerprints)).fetch(REVOCATIONS.KEY_FINGERPRINT));
    }

    /** Which of {@code keyIds} are revoked. */
    public java.util.Set<String> revokedKeyIdsAmong(java.util.Collection<String> keyIds) {
        return new java.util.HashSet<>(tx.selectDistinct(REVOCATIONS.KEY_ID).from(REVOCATIONS)
                .where(REVOCATIONS.KIND.eq(Kind.KEY_ID.label()).and(REVOCATIONS.KEY_ID.in(keyIds)))
                .fetch(REVOCATIONS.KEY_ID));
    }

    /** Whether certificates with this key ID are revoked. */
    public boolean isKeyIdRevoked(String keyId) {
        return tx.fetchExists(REVOCATIONS, REVOCATIONS.KIND.eq(Kind.KEY_ID.label()).and(REVOCATIONS.KEY_ID.eq(keyId)));
    }

    /**
     * Raises the KRL version by one and returns it. Runs in the revoking transaction: the row lock orders
     * concurrent revocations, and a reader sees the new version only together with the revocation.
     */
    public long bumpKrlVersion(Instant at) {
        return tx.update(KRL_STATE)
                .set(KRL_STATE.VERSION, KRL_STATE.VERSION.plus(1))
                .set(KRL_STATE.UPDATED_AT, TokenDao.utc(at))
                .where(KRL_STATE.ID.eq(1))
                .returning(KRL_STATE.VERSION).fetchSingle().getVersion();
    }

    public long krlVersion() {
        return tx.select(KRL_STATE.VERSION).from(KRL_STATE).where(KRL_STATE.ID.eq(1)).fetchSingle().value1();
    }

    /** The KRL version and when it was last raised (the KRL's generated_date, the same on every node). */
    public record KrlState(long version, Instant updatedAt) {
    }

    public KrlState krlState() {
        var r = tx.selectFrom(KRL_STATE).where(KRL_STATE.ID.eq(1)).fetchSingle();
        return new KrlState(r.getVersion(), r.getUpdatedAt().toInstant());
    }

    /** The KRL state, locked until the transaction ends (orders a prune against concurrent revocations). */
    public KrlState lockKrlState() {
        var r = tx.selectFrom(KRL_STATE).where(KRL_STATE.ID.eq(1)).forUpdate().fetchSingle();
        return new KrlState(r.getVersion(), r.getUpdatedAt().toInstant());
    }

    private static Revocation toRevocation(RevocationsRecord r) {
        return new Revocation(r.getId(), Kind.valueOf(r.getKind().toUpperCase(java.util.Locale.ROOT)),
                Optional.ofNullable(r.getKeyFingerprint()), Optional.ofNullable(r.getPublicKey()),
                Optional.ofNullable(r.getKeyId()), r.getReason(), r.getRevokedBy(), r.getRevokedAt().toInstant());
    }
}
