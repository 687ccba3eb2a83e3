package dev.keyward.web.audit;

import static dev.keyward.web.db.jooq.Tables.AUDIT_HEAD;
import static dev.keyward.web.db.jooq.Tables.AUDIT_LOG;

import dev.keyward.web.db.jooq.tables.records.AuditHeadRecord;
import dev.keyward.web.db.jooq.tables.records.AuditLogRecord;
import org.jooq.Cursor;
import org.jooq.DSLContext;

/**
 * Walks the whole chain in order and reports the first entry that fails:
 * <ul>
 * <li>a gap in seq: that entry was deleted;</li>
 * <li>a stored hash that does not match the entry's content: the entry was modified;</li>
 * <li>a prev_hash that does not match the previous entry's hash: this entry was replaced or moved (or the
 * previous one was modified and re-hashed; the chain cannot tell which, and names the entry where it breaks);</li>
 * <li>a head that points past the last entry: entries at the end were deleted.</li>
 * </ul>
 * Run it in a transaction (PostgreSQL streams rows through a cursor only inside one).
 */
public final class AuditVerifier {
    private final DSLContext tx;

    public AuditVerifier(DSLContext tx) {
        this.tx = tx;
    }

    public VerifyResult verify() {
        AuditHeadRecord head = tx.selectFrom(AUDIT_HEAD).where(AUDIT_HEAD.ID.eq(1)).fetchSingle();
        long expected = 1;
        String prev = AuditHashing.GENESIS;
        long checked = 0;
        try (Cursor<AuditLogRecord> rows = tx.selectFrom(AUDIT_LOG).orderBy(AUDIT_LOG.SEQ).fetchSize(1000).fetchLazy()) {
            for (AuditLogRecord r : rows) {
                AuditEntry e = AuditLog.toEntry(r);
                if (e.seq() != expected) {
                    return VerifyResult.bad(checked, head.getSeq(), head.getHash(), expected, e.seq() > expected
                            ? "audit entry " + expected + " is missing (deleted); the next entry present is " + e.seq()
                            : "audit entry " + e.seq() + " appears out of order after entry " + (expected - 1));
                }
                if (!e.prevHash().equals(prev)) {
                    return VerifyResult.bad(checked, head.getSeq(), head.getHash(), e.seq(),
                            "audit entry " + e.seq() + " does not follow entry " + (e.seq() - 1) + ": its prev_hash is"
                                    + " not the hash of entry " + (e.seq() - 1) + " (entry " + e.seq() + " was replaced"
                                    + " or moved, or entry " + (e.seq() - 1) + " was modified and re-hashed)");
                }
                String recomputed = AuditHashing.hashOf(e);
                if (!recomputed.equals(e.hash())) {
                    return VerifyResult.bad(checked, head.getSeq(), head.getHash(), e.seq(),
                            "audit entry " + e.seq() + " was modified: its content does not match its hash");
                }
                prev = e.hash();
                checked++;
                expected++;
            }
        }
        long last = expected - 1;
        if (head.getSeq() != last) {
            return VerifyResult.bad(checked, head.getSeq(), head.getHash(), last + 1, head.getSeq() > last
                    ? "audit entries " + (last + 1) + " to " + head.getSeq() + " are missing (deleted from the end)"
                    : "the audit head is at entry " + head.getSeq() + " but entries exist up to " + last);
        }
        if (!head.getHash().equals(prev)) {
            return VerifyResult.bad(checked, head.getSeq(), head.getHash(), last,
                    "audit entry " + last + " does not match the chain head's hash (modified and re-hashed)");
        }
        return VerifyResult.good(checked, head.getSeq(), head.getHash());
    }
}
