package dev.keyward.web.audit;

import static dev.keyward.web.db.jooq.Tables.AUDIT_HEAD;
import static dev.keyward.web.db.jooq.Tables.AUDIT_LOG;

import dev.keyward.web.db.jooq.tables.records.AuditHeadRecord;
import dev.keyward.web.db.jooq.tables.records.AuditLogRecord;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
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

    /** An entry to append. */
    public record NewEntry(String actor, String action, String subject, Map<String, ?> details) {
    }

    public AuditEntry append(String actor, String action, String subject, Map<String, ?> details) {
        return appendAll(List.of(new NewEntry(actor, action, subject, details))).get(0);
    }

    /**
     * Appends {@code entries} in order under one acquisition of the head lock: one round trip to lock, one
     * multi-row insert, one head update (group commit of a batch of issuances).
     */
    public List<AuditEntry> appendAll(List<NewEntry> entries) {
        if (entries.isEmpty()) {
            return List.of();
        }
        AuditHeadRecord head = tx.selectFrom(AUDIT_HEAD).where(AUDIT_HEAD.ID.eq(1)).forUpdate().fetchSingle();
        long seq = head.getSeq();
        String prev = head.getHash();
        List<AuditEntry> out = chain(seq, prev, entries);
        var insert = tx.insertInto(AUDIT_LOG, AUDIT_LOG.SEQ, AUDIT_LOG.OCCURRED_AT, AUDIT_LOG.ACTOR, AUDIT_LOG.ACTION,
                AUDIT_LOG.SUBJECT, AUDIT_LOG.DETAILS, AUDIT_LOG.PREV_HASH, AUDIT_LOG.HASH);
        for (AuditEntry e : out) {
            insert = insert.values(e.seq(), e.occurredAt().atOffset(ZoneOffset.UTC), e.actor(), e.action(), e.subject(),
                    e.details(), e.prevHash(), e.hash());
        }
        insert.execute();
        AuditEntry last = out.get(out.size() - 1);
        tx.update(AUDIT_HEAD).set(AUDIT_HEAD.SEQ, last.seq()).set(AUDIT_HEAD.HASH, last.hash())
                .where(AUDIT_HEAD.ID.eq(1)).execute();
        return out;
    }

    /**
     * An entry whose details are already in their canonical JSON form ({@link AuditDetails#canonicalJson}): rendered
     * before the head lock is taken, so that only the hashing happens under it.
     */
    public record Rendered(String actor, String action, String subject, String details) {
    }

    /** {@code e} with its details rendered in canonical JSON. */
    public static Rendered render(NewEntry e) {
        return new Rendered(e.actor(), e.action(), e.subject(), AuditDetails.canonicalJson(e.details()));
    }

    /**
     * The entries that follow the chain head ({@code headSeq}, {@code headHash}), hashed in order. Call it with the
     * head locked: the time is taken here, under the lock, so occurred_at rises with seq on any one clock.
     */
    public static List<AuditEntry> chain(long headSeq, String headHash, List<NewEntry> entries) {
        return chainRendered(headSeq, headHash, entries.stream().map(AuditLog::render).toList());
    }

    /** As {@link #chain}, for entries rendered beforehand. */
    public static List<AuditEntry> chainRendered(long headSeq, String headHash, List<Rendered> entries) {
        Instant now = AuditHashing.truncate(Instant.now());
        long seq = headSeq;
        String prev = headHash;
        List<AuditEntry> out = new ArrayList<>(entries.size());
        for (Rendered e : entries) {
            seq++;
            String hash = AuditHashing.hash(prev, AuditHashing.canonical(seq, now, e.actor(), e.action(), e.subject(),
                    e.details()));
            out.add(new AuditEntry(seq, now, e.actor(), e.action(), e.subject(), e.details(), prev, hash));
            prev = hash;
        }
        return out;
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
