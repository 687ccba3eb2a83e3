package dev.keyward.web.audit;

import static dev.keyward.web.db.jooq.Tables.AUDIT_CHECKPOINTS;
import static dev.keyward.web.db.jooq.Tables.AUDIT_HEAD;
import static dev.keyward.web.db.jooq.Tables.AUDIT_LOG;

import dev.keyward.web.db.jooq.tables.records.AuditCheckpointsRecord;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * The stored checkpoints ({@code audit_checkpoints}) and the chain reads that taking and checking them need. Rows
 * are read as they are: whether one is well-formed and signed by the audit key is for {@link Checkpoint#parse} and
 * {@link CheckpointCheck} to say.
 */
public final class CheckpointDao {
    /** Advisory lock key serialising checkpoints across nodes ("kwaudck"), so ids rise in commit order. */
    public static final long CHECKPOINT_LOCK = 0x6b776175646b63L;

    private final DSLContext tx;

    public CheckpointDao(DSLContext tx) {
        this.tx = tx;
    }

    /** A stored row. */
    public record Row(long id, String kind, long seq, String hash, Instant signedAt, String keyFingerprint,
            String signature) {
        /** The checkpoint line this row stands for. */
        public String line() {
            return Checkpoint.line(kind, seq, hash, signedAt, keyFingerprint, signature);
        }
    }

    /** The chain's head: its last entry's seq and hash (0 and the genesis hash when empty). */
    public record Head(long seq, String hash) {
    }

    /** Takes the checkpoint lock for the rest of the transaction. */
    public void lock() {
        tx.execute("SELECT pg_advisory_xact_lock(" + CHECKPOINT_LOCK + ")");
    }

    /** The chain's head as committed (no lock on it: appends go on while a checkpoint is signed). */
    public Head head() {
        var r = tx.select(AUDIT_HEAD.SEQ, AUDIT_HEAD.HASH).from(AUDIT_HEAD).where(AUDIT_HEAD.ID.eq(1)).fetchSingle();
        return new Head(r.value1(), r.value2());
    }

    public Row insert(Checkpoint c) {
        long id = tx.insertInto(AUDIT_CHECKPOINTS)
                .set(AUDIT_CHECKPOINTS.KIND, c.kind().label())
                .set(AUDIT_CHECKPOINTS.SEQ, c.seq())
                .set(AUDIT_CHECKPOINTS.HASH, c.hash())
                .set(AUDIT_CHECKPOINTS.SIGNED_AT, c.time().atOffset(ZoneOffset.UTC))
                .set(AUDIT_CHECKPOINTS.KEY_FINGERPRINT, c.keyFingerprint())
                .set(AUDIT_CHECKPOINTS.SIGNATURE, c.signature().base64())
                .returning(AUDIT_CHECKPOINTS.ID).fetchSingle().getId();
        return new Row(id, c.kind().label(), c.seq(), c.hash(), c.time(), c.keyFingerprint(), c.signature().base64());
    }

    /** The newest row (a checkpoint, or the rollback of a restore). */
    public Optional<Row> latest() {
        return tx.selectFrom(AUDIT_CHECKPOINTS).orderBy(AUDIT_CHECKPOINTS.ID.desc()).limit(1).fetchOptional()
                .map(CheckpointDao::toRow);
    }

    /** Rows after {@code id}, oldest first, at most {@code limit}. */
    public List<Row> after(long id, int limit) {
        return tx.selectFrom(AUDIT_CHECKPOINTS).where(AUDIT_CHECKPOINTS.ID.gt(id)).orderBy(AUDIT_CHECKPOINTS.ID)
                .limit(limit).fetch(CheckpointDao::toRow);
    }

    public List<Row> all() {
        return tx.selectFrom(AUDIT_CHECKPOINTS).orderBy(AUDIT_CHECKPOINTS.ID).fetch(CheckpointDao::toRow);
    }

    /** The id of {@code c}'s row, if stored. */
    public Optional<Long> idOf(Checkpoint c) {
        return tx.select(AUDIT_CHECKPOINTS.ID).from(AUDIT_CHECKPOINTS)
                .where(AUDIT_CHECKPOINTS.KIND.eq(c.kind().label()).and(AUDIT_CHECKPOINTS.SEQ.eq(c.seq()))
                        .and(AUDIT_CHECKPOINTS.HASH.eq(c.hash()))
                        .and(AUDIT_CHECKPOINTS.SIGNED_AT.eq(c.time().atOffset(ZoneOffset.UTC)))
                        .and(AUDIT_CHECKPOINTS.SIGNATURE.eq(c.signature().base64())))
                .orderBy(AUDIT_CHECKPOINTS.ID.desc()).limit(1).fetchOptional(AUDIT_CHECKPOINTS.ID);
    }

    /** The largest id of a row signed at or before {@code time} (0 if none). */
    public long lastIdSignedBy(Instant time) {
        Long id = tx.select(org.jooq.impl.DSL.max(AUDIT_CHECKPOINTS.ID)).from(AUDIT_CHECKPOINTS)
                .where(AUDIT_CHECKPOINTS.SIGNED_AT.le(time.atOffset(ZoneOffset.UTC))).fetchOne(0, Long.class);
        return id == null ? 0 : id;
    }

    public long maxId() {
        Long id = tx.select(org.jooq.impl.DSL.max(AUDIT_CHECKPOINTS.ID)).from(AUDIT_CHECKPOINTS).fetchOne(0, Long.class);
        return id == null ? 0 : id;
    }

    /** The stored hash of each of {@code seqs} that the chain holds. */
    public Map<Long, String> hashesAt(Collection<Long> seqs) {
        Map<Long, String> out = new HashMap<>();
        List<Long> all = List.copyOf(seqs);
        // in slices: PostgreSQL takes at most 65,535 bind parameters per statement
        for (int from = 0; from < all.size(); from += 10_000) {
            tx.select(AUDIT_LOG.SEQ, AUDIT_LOG.HASH).from(AUDIT_LOG)
                    .where(AUDIT_LOG.SEQ.in(all.subList(from, Math.min(all.size(), from + 10_000))))
                    .forEach(r -> out.put(r.value1(), r.value2()));
        }
        return out;
    }

    /** The last entry the chain holds (0 when it holds none), whatever the head row says. */
    public long lastEntry() {
        Long seq = tx.select(org.jooq.impl.DSL.max(AUDIT_LOG.SEQ)).from(AUDIT_LOG).fetchOne(0, Long.class);
        return seq == null ? 0 : seq;
    }

    private static Row toRow(AuditCheckpointsRecord r) {
        return new Row(r.getId(), r.getKind(), r.getSeq(), r.getHash(), r.getSignedAt().toInstant(),
                r.getKeyFingerprint(), r.getSignature());
    }
}
