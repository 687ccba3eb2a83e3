package dev.keyward.web.audit;

import static dev.keyward.web.db.jooq.Tables.AUDIT_HEAD;
import static dev.keyward.web.db.jooq.Tables.AUDIT_LOG;

import dev.keyward.web.db.jooq.tables.records.AuditHeadRecord;
import dev.keyward.web.db.jooq.tables.records.AuditLogRecord;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The audit DAO. {@link #append} must run inside the transaction of the action it records: it locks the chain
 * head ({@code SELECT ... FOR UPDATE}), so call it last in the transaction to hold the lock briefly.
 */
public final class AuditLog {
    private final DSLContext tx;

    public AuditLog(DSLContext tx) {
        this.tx = tx;
    }

    public AuditEntry append(String actor, String action, String subject, Map<String, ?> details) {
        // Everything that does not depend on the chain is done before the head lock is taken: writers on every node
        // queue for that row lock, so each round trip made while holding it caps issuance (see bench-server).
        String json = AuditDetails.canonicalJson(details);
        AuditHeadRecord head = tx.selectFrom(AUDIT_HEAD).where(AUDIT_HEAD.ID.eq(1)).forUpdate().fetchSingle();
        long seq = head.getSeq() + 1;
        // the time is taken under the lock, so occurred_at rises with seq on any one clock
        Instant now = AuditHashing.truncate(Instant.now());
        String hash = AuditHashing.hash(head.getHash(), AuditHashing.canonical(seq, now, actor, action, subject, json));
        // The entry and the new head travel as one JDBC batch: one round trip instead of two under the lock.
        int[] counts = tx.batch(
                tx.insertInto(AUDIT_LOG)
                        .set(AUDIT_LOG.SEQ, seq)
                        .set(AUDIT_LOG.OCCURRED_AT, now.atOffset(ZoneOffset.UTC))
                        .set(AUDIT_LOG.ACTOR, actor)
                        .set(AUDIT_LOG.ACTION, action)
                        .set(AUDIT_LOG.SUBJECT, subject)
                        .set(AUDIT_LOG.DETAILS, json)
                        .set(AUDIT_LOG.PREV_HASH, head.getHash())
                        .set(AUDIT_LOG.HASH, hash),
                tx.update(AUDIT_HEAD).set(AUDIT_HEAD.SEQ, seq).set(AUDIT_HEAD.HASH, hash).where(AUDIT_HEAD.ID.eq(1)))
                .execute();
        if (counts.length != 2 || counts[0] != 1 || counts[1] != 1) {
            throw new IllegalStateException("audit append wrote " + java.util.Arrays.toString(counts)
                    + " rows; expected one entry and one head update");
        }
        return new AuditEntry(seq, now, actor, action, subject, json, head.getHash(), hash);
    }

    /** A filtered page, newest first. {@code beforeSeq} is the cursor (exclusive). */
    public List<AuditEntry> page(AuditQuery q) {
        Condition c = DSL.noCondition();
        if (q.action().isPresent()) {
            c = c.and(AUDIT_LOG.ACTION.eq(q.action().get()));
        }
        if (q.actor().isPresent()) {
            c = c.and(AUDIT_LOG.ACTOR.eq(q.actor().get()));
        }
        if (q.subject().isPresent()) {
            c = c.and(AUDIT_LOG.SUBJECT.eq(q.subject().get()));
        }
        if (q.beforeSeq().isPresent()) {
            c = c.and(AUDIT_LOG.SEQ.lt(q.beforeSeq().get()));
        }
        return tx.selectFrom(AUDIT_LOG).where(c).orderBy(AUDIT_LOG.SEQ.desc()).limit(q.limit()).offset(q.offset())
                .fetch(AuditLog::toEntry);
    }

    static AuditEntry toEntry(AuditLogRecord r) {
        return new AuditEntry(r.getSeq(), r.getOccurredAt().toInstant(), r.getActor(), r.getAction(), r.getSubject(),
                r.getDetails(), r.getPrevHash(), r.getHash());
    }
}
