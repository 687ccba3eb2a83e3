package dev.keyward.web.audit.sink;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.web.audit.Checkpoint;
import dev.keyward.web.audit.CheckpointDao;
import dev.keyward.web.config.AuditConfig;
import dev.keyward.web.db.Database;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the checkpoint table into one sink, in id order (ids rise in commit order: checkpoints are added under
 * an advisory lock), from where the sink left off. Every node's sinks receive every checkpoint, whichever node took
 * it. A row the audit key did not sign (written into the table by someone else) is never copied: it is logged
 * and skipped. A failed write is logged once, counted, and tried again on the next round from the same place.
 */
public final class SinkFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SinkFollower.class);
    private static final int BATCH = 100;

    private final CheckpointSink sink;
    private final SshPublicKey auditKey;
    private final Runnable onFailure;
    private long position = -1;
    private volatile boolean failing;

    /** A follower for each sink {@code config} names; {@code onFailure} gets the sink's kind on each failed round. */
    public static List<SinkFollower> configured(AuditConfig config, SshPublicKey auditKey,
            java.util.function.Consumer<String> onFailure) {
        List<CheckpointSink> sinks = new ArrayList<>();
        config.sinkFile().ifPresent(f -> sinks.add(new FileSink(f)));
        config.syslog().ifPresent(t -> sinks.add(new SyslogSink(t)));
        return sinks.stream().map(s -> new SinkFollower(s, auditKey, () -> onFailure.accept(s.kind()))).toList();
    }

    /** {@code onFailure} runs on each failed round (a metric). */
    public SinkFollower(CheckpointSink sink, SshPublicKey auditKey, Runnable onFailure) {
        this.sink = sink;
        this.auditKey = auditKey;
        this.onFailure = onFailure;
    }

    public CheckpointSink sink() {
        return sink;
    }

    /** Whether the last round failed. */
    public boolean failing() {
        return failing;
    }

    /** Writes every checkpoint the sink does not have yet; returns how many. Never throws. */
    public synchronized int flush(Database db) {
        int written = 0;
        try {
            if (position < 0) {
                position = db.read(dsl -> {
                    try {
                        return sink.position(new CheckpointDao(dsl));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
            while (true) {
                long from = position;
                List<CheckpointDao.Row> rows = db.read(dsl -> new CheckpointDao(dsl).after(from, BATCH));
                if (rows.isEmpty()) {
                    break;
                }
                List<String> lines = new ArrayList<>(rows.size());
                for (CheckpointDao.Row r : rows) {
                    if (signed(r)) {
                        lines.add(r.line());
                    }
                }
                if (!lines.isEmpty()) {
                    sink.write(lines);
                }
                written += lines.size();
                position = rows.get(rows.size() - 1).id();
            }
            if (failing) {
                LOG.info("The audit checkpoint sink {} works again", sink.describe());
                failing = false;
            }
        } catch (IOException | RuntimeException e) {
            onFailure.run();
            if (!failing) {
                LOG.error("Cannot write audit checkpoints to {}: {}; retrying every round until it works",
                        sink.describe(), e.getCause() instanceof IOException io ? io.getMessage() : e.toString());
                failing = true;
            }
        }
        return written;
    }

    private boolean signed(CheckpointDao.Row r) {
        try {
            if (Checkpoint.parse(r.line()).signedBy(auditKey)) {
                return true;
            }
        } catch (InvalidInputException e) {
            // malformed: not ours either
        }
        LOG.error("audit_checkpoints row {} ({} {}) is not signed by the audit key {}: someone wrote it into the"
                + " database; not copying it to {}", r.id(), r.kind(), r.seq(), auditKey.fingerprint(),
                sink.describe());
        return false;
    }

    @Override
    public void close() {
        sink.close();
    }
}
