package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.AUTHORIZED_KEYS;
import static dev.keyward.web.db.jooq.Tables.KEY_FIRST_SEEN;

import dev.keyward.web.db.jooq.tables.records.AuthorizedKeysRecord;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;

/** Static authorized keys (for an account on one host or on every host with a label). */
public final class AuthorizedKeyDao {
    /** Options are stored one per line (an option never holds a line break: the service checks). */
    private static final String OPTION_SEPARATOR = "\n";

    private final DSLContext tx;

    public AuthorizedKeyDao(DSLContext tx) {
        this.tx = tx;
    }

    /**
     * A static key. Exactly one of {@code hostId} and {@code hostLabel} is present.
     *
     * @param publicKey the key line without comment ({@code type base64})
     */
    public record StaticKey(long id, String account, Optional<Long> hostId, Optional<String> hostLabel,
            String publicKey, String fingerprint, String keyType, int bits, List<String> options, String comment,
            Optional<Instant> expiresAt, String createdBy, Instant createdAt, Optional<String> deletedBy,
            Optional<Instant> deletedAt) {
        public StaticKey {
            options = List.copyOf(options);
        }

        public boolean expiredAt(Instant now) {
            return expiresAt.isPresent() && !now.isBefore(expiresAt.get());
        }
    }

    public StaticKey insert(StaticKey k) {
        long id = tx.insertInto(AUTHORIZED_KEYS)
                .set(AUTHORIZED_KEYS.ACCOUNT, k.account())
                .set(AUTHORIZED_KEYS.HOST_ID, k.hostId().orElse(null))
                .set(AUTHORIZED_KEYS.HOST_LABEL, k.hostLabel().orElse(null))
                .set(AUTHORIZED_KEYS.PUBLIC_KEY, k.publicKey())
                .set(AUTHORIZED_KEYS.FINGERPRINT, k.fingerprint())
                .set(AUTHORIZED_KEYS.KEY_TYPE, k.keyType())
                .set(AUTHORIZED_KEYS.BITS, k.bits())
                .set(AUTHORIZED_KEYS.OPTIONS, String.join(OPTION_SEPARATOR, k.options()))
                .set(AUTHORIZED_KEYS.COMMENT, k.comment())
                .set(AUTHORIZED_KEYS.EXPIRES_AT, k.expiresAt().map(TokenDao::utc).orElse(null))
                .set(AUTHORIZED_KEYS.CREATED_BY, k.createdBy())
                .set(AUTHORIZED_KEYS.CREATED_AT, TokenDao.utc(k.createdAt()))
                .returning(AUTHORIZED_KEYS.ID).fetchSingle().getId();
        firstSeen(tx, k.fingerprint(), k.createdAt());
        return find(id).orElseThrow();
    }

    public Optional<StaticKey> find(long id) {
        return tx.selectFrom(AUTHORIZED_KEYS).where(AUTHORIZED_KEYS.ID.eq(id)).fetchOptional()
                .map(AuthorizedKeyDao::toKey);
    }

    /** Marks the key deleted; false if it was already. */
    public boolean delete(long id, String by, Instant at) {
        return tx.update(AUTHORIZED_KEYS).set(AUTHORIZED_KEYS.DELETED_BY, by)
                .set(AUTHORIZED_KEYS.DELETED_AT, TokenDao.utc(at))
                .where(AUTHORIZED_KEYS.ID.eq(id).and(AUTHORIZED_KEYS.DELETED_AT.isNull())).execute() == 1;
    }

    /** Every static key (current, expired and deleted) that applies to this host or one of its labels. */
    public List<StaticKey> forHost(long hostId, Collection<String> labels) {
        Condition c = AUTHORIZED_KEYS.HOST_ID.eq(hostId);
        if (!labels.isEmpty()) {
            c = c.or(AUTHORIZED_KEYS.HOST_LABEL.in(labels));
        }
        return tx.selectFrom(AUTHORIZED_KEYS).where(c).orderBy(AUTHORIZED_KEYS.ID).fetch(AuthorizedKeyDao::toKey);
    }

    /** Every static key for this label. */
    public List<StaticKey> forLabel(String label) {
        return tx.selectFrom(AUTHORIZED_KEYS).where(AUTHORIZED_KEYS.HOST_LABEL.eq(label)).orderBy(AUTHORIZED_KEYS.ID)
                .fetch(AuthorizedKeyDao::toKey);
    }

    /** Current (not deleted) static keys with these fingerprints, for the key inventory. */
    public List<StaticKey> currentWithFingerprints(Collection<String> fingerprints) {
        return tx.selectFrom(AUTHORIZED_KEYS).where(AUTHORIZED_KEYS.DELETED_AT.isNull())
                .and(AUTHORIZED_KEYS.FINGERPRINT.in(fingerprints)).orderBy(AUTHORIZED_KEYS.ID)
                .fetch(AuthorizedKeyDao::toKey);
    }

    /** Records when a key was first seen, unless it was seen before. */
    static void firstSeen(DSLContext tx, String fingerprint, Instant at) {
        tx.insertInto(KEY_FIRST_SEEN).set(KEY_FIRST_SEEN.FINGERPRINT, fingerprint)
                .set(KEY_FIRST_SEEN.FIRST_SEEN_AT, TokenDao.utc(at)).onConflictDoNothing().execute();
    }

    private static StaticKey toKey(AuthorizedKeysRecord r) {
        List<String> options = r.getOptions().isEmpty() ? List.of()
                : Arrays.asList(r.getOptions().split(OPTION_SEPARATOR, -1));
        return new StaticKey(r.getId(), r.getAccount(), Optional.ofNullable(r.getHostId()),
                Optional.ofNullable(r.getHostLabel()), r.getPublicKey(), r.getFingerprint(), r.getKeyType(),
                r.getBits(), options, r.getComment(), HostDao.instant(r.getExpiresAt()), r.getCreatedBy(),
                r.getCreatedAt().toInstant(), Optional.ofNullable(r.getDeletedBy()), HostDao.instant(r.getDeletedAt()));
    }

}
