package dev.keyward.web.service;

import dev.keyward.web.audit.Checkpoint;
import dev.keyward.web.audit.CheckpointDao;
import dev.keyward.web.audit.sink.SinkFollower;
import dev.keyward.web.db.Database;
import java.time.Clock;
import java.util.List;

/**
 * Signs, for {@code keyward-server restore}, that the chain was restored: a {@code rollback} checkpoint over the
 * chain's head right after the restore (its {@code backup.restore} entry), stored and written to the sinks.
 * Checkpoints signed before it at or past that entry describe the history the restore replaced, and
 * {@code audit verify} reports them as superseded instead of as a truncated or rewritten chain. Only the audit key
 * can sign it, and the server's checkpoint thread never signs a rollback, so whoever can write the database cannot
 * make a truncation look like a restore.
 */
public final class AuditRollback {
    private AuditRollback() {
    }

    /** What was signed, and the sinks that could not take it (they get it when the server next runs). */
    public record Result(Checkpoint rollback, List<String> failedSinks) {
    }

    public static Result attest(Database db, AuditKey key, Clock clock, List<SinkFollower> sinks) {
        Checkpoint c = db.transaction(tx -> {
            CheckpointDao dao = new CheckpointDao(tx);
            dao.lock();
            CheckpointDao.Head head = dao.head();
            Checkpoint r = Checkpoint.sign(Checkpoint.Kind.ROLLBACK, head.seq(), head.hash(), clock.instant(),
                    key.signer());
            dao.insert(r);
            return r;
        });
        for (SinkFollower f : sinks) {
            f.flush(db);
        }
        return new Result(c, sinks.stream().filter(SinkFollower::failing).map(f -> f.sink().describe()).toList());
    }
}
