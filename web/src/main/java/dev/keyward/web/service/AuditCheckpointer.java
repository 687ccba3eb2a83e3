package dev.keyward.web.service;

import dev.keyward.web.audit.Checkpoint;
import dev.keyward.web.audit.CheckpointDao;
import dev.keyward.web.audit.sink.SinkFollower;
import dev.keyward.web.db.Database;
import dev.keyward.web.metrics.ServerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes audit checkpoints: the audit key signs (seq, hash, time) of the chain's head once the chain is
 * {@code every} entries past the last checkpoint, and at least every {@code interval} while there are new entries,
 * at start-up when there are entries no checkpoint covers, and at shutdown. The checkpoint is stored in
 * {@code audit_checkpoints}, then copied to the sinks.
 * <p>
 * One background thread per node does the work, off every request's path: it reads the head (one row) every
 * {@link #POLL}, or at once when this node's issuance reports that the chain passed the next N-th entry
 * ({@link #appended}). A checkpoint is taken in its own transaction under an advisory lock, re-checking under the
 * lock what another node may have done meanwhile, so several nodes take each checkpoint once. It never locks the
 * chain's head: appends go on while the HSM signs, and a slow or unreachable HSM (or database) delays checkpoints
 * but never an audited action. The head it signs is the one it finds, at or just past the N-th entry.
 */
public final class AuditCheckpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditCheckpointer.class);
    static final Duration POLL = Duration.ofSeconds(1);

    private final Database db;
    private final AuditKey key;
    private final int every;
    private final Duration interval;
    private final Clock clock;
    private final ServerMetrics metrics;
    private final List<SinkFollower> sinks;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean closed;
    /** The newest checkpoint as this node last saw it (seq -1: not read yet), and the head it last read. */
    private volatile long lastSeq = -1;
    private volatile Instant lastTime = Instant.EPOCH;
    private volatile long headSeq;
    private String lastError;

    private AuditCheckpointer(Database db, AuditKey key, int every, Duration interval, Clock clock,
            ServerMetrics metrics, List<SinkFollower> sinks) {
        this.db = db;
        this.key = key;
        this.every = every;
        this.interval = interval;
        this.clock = clock;
        this.metrics = metrics;
        this.sinks = List.copyOf(sinks);
        metrics.auditCheckpointLag(() -> lastSeq < 0 ? 0 : Math.max(0, headSeq - lastSeq));
        for (SinkFollower f : this.sinks) {
            metrics.auditSinkUp(f.sink().kind(), () -> !f.failing());
        }
        this.thread = new Thread(this::run, "keyward-audit-checkpoints");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts the background thread; its first round checkpoints entries no checkpoint covers yet. */
    public static AuditCheckpointer start(Database db, AuditKey key, int every, Duration interval, Clock clock,
            ServerMetrics metrics, List<SinkFollower> sinks) {
        return new AuditCheckpointer(db, key, every, interval, clock, metrics, sinks);
    }

    /**
     * The chain now ends at {@code seq} (after a commit on this node): wakes the thread when that is {@code every}
     * entries past the last checkpoint. One volatile read on the issuing path.
     */
    public void appended(long seq) {
        long last = lastSeq;
        if (last >= 0 && seq - last >= every && wake.availablePermits() == 0) {
            wake.release();
        }
    }

    private void run() {
        flushSinks(); // first, so each sink starts from what it holds, before the start-up checkpoint
        round(true);
        while (!closed) {
            try {
                wake.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            }
            wake.drainPermits();
            if (!closed) {
                round(false);
            }
        }
    }

    /** Takes a checkpoint if one is due ({@code force}: if there is any new entry), then feeds the sinks. */
    private void round(boolean force) {
        try {
            take(force);
            lastError = null;
        } catch (RuntimeException e) {
            String why = e.toString();
            if (!why.equals(lastError)) {
                LOG.warn("Cannot take an audit checkpoint now ({}); trying again in {} s", why, POLL.toSeconds());
                lastError = why;
            }
        }
        flushSinks();
    }

    /** Copies new checkpoints to every sink. */
    public void flushSinks() {
        for (SinkFollower f : sinks) {
            f.flush(db);
        }
    }

    /**
     * Takes a checkpoint now if the chain has entries the newest checkpoint does not cover (then feeds the sinks).
     * Returns it, or empty when there was nothing new (or another node took it).
     */
    public Optional<Checkpoint> checkpointNow() {
        Optional<Checkpoint> c = take(true);
        flushSinks();
        return c;
    }

    private Optional<Checkpoint> take(boolean force) {
        CheckpointDao.Head head = db.read(dsl -> new CheckpointDao(dsl).head());
        headSeq = head.seq();
        if (lastSeq >= 0 && !due(head.seq(), lastSeq, lastTime, force)) {
            return Optional.empty();
        }
        Optional<Checkpoint> taken = db.transaction(tx -> {
            CheckpointDao dao = new CheckpointDao(tx);
            dao.lock();
            Optional<CheckpointDao.Row> last = dao.latest();
            CheckpointDao.Head now = dao.head();
            long seq = last.map(CheckpointDao.Row::seq).orElse(0L);
            Instant time = last.map(CheckpointDao.Row::signedAt).orElse(Instant.EPOCH);
            lastSeq = seq;
            lastTime = time;
            headSeq = now.seq();
            if (!due(now.seq(), seq, time, force)) {
                return Optional.<Checkpoint>empty();
            }
            last.ifPresent(l -> warnIfChanged(dao, l));
            Checkpoint c = Checkpoint.sign(Checkpoint.Kind.CHECKPOINT, now.seq(), now.hash(), clock.instant(),
                    key.signer());
            dao.insert(c);
            return Optional.of(c);
        });
        taken.ifPresent(c -> {
            lastSeq = c.seq();
            lastTime = c.time();
            metrics.auditCheckpoint();
            LOG.debug("Audit checkpoint at entry {}", c.seq());
        });
        return taken;
    }

    private boolean due(long head, long last, Instant lastAt, boolean force) {
        if (head <= last) {
            return false;
        }
        return force || head - last >= every || !clock.instant().isBefore(lastAt.plus(interval));
    }

    /** The chain no longer holds the last checkpoint's entry as it was: say so now, not at the next verify. */
    private static void warnIfChanged(CheckpointDao dao, CheckpointDao.Row last) {
        if (last.seq() == 0) {
            return;
        }
        Map<Long, String> h = dao.hashesAt(Set.of(last.seq()));
        if (!last.hash().equals(h.get(last.seq()))) {
            LOG.error("The audit chain no longer holds entry {} as {} {} signed it: the chain was rewritten or"
                    + " truncated; run 'keyward-server audit verify'", last.seq(), last.kind(), last.seq());
        }
    }

    /** Stops the thread, then takes a last checkpoint of what this node leaves behind. */
    @Override
    public void close() {
        closed = true;
        wake.release();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            take(true);
        } catch (RuntimeException e) {
            LOG.warn("No audit checkpoint at shutdown: {}", e.toString());
        }
        flushSinks();
        for (SinkFollower f : sinks) {
            f.close();
        }
    }
}
