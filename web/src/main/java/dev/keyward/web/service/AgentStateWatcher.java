package dev.keyward.web.service;

import dev.keyward.web.db.AgentStateDao;
import dev.keyward.web.db.Database;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes long-polling agents when what a host should look like may have changed. Changes through this node call
 * {@link #changed()} after they commit; changes through other nodes (and revocations, which bump the KRL version)
 * are seen by re-reading two version rows (one cheap query) every {@code interval}. A wake-up is a
 * hint: each waiter rebuilds its document and compares ETags, so a spurious wake costs one rebuild and a missed
 * one at most the rest of the wait (never a wrong answer). No database connection is held while waiting.
 */
public final class AgentStateWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentStateWatcher.class);

    private final Database db;
    private final KrlService krl;
    private final Set<CompletableFuture<Void>> waiters = ConcurrentHashMap.newKeySet();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private volatile AgentStateDao.Versions last;

    public AgentStateWatcher(Database db, KrlService krl, Duration interval) {
        this.db = db;
        this.krl = krl;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keyward-agent-state-watcher");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(50, interval.toMillis());
        timer.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * A future that completes at the next possible change. Register before reading the state, so a change between
     * the read and the wait is not missed.
     */
    public CompletableFuture<Void> signal() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(f);
        f.whenComplete((v, e) -> waiters.remove(f));
        return f;
    }

    public void cancel(CompletableFuture<Void> signal) {
        waiters.remove(signal);
        signal.cancel(false);
    }

    /**
     * Runs {@code listener} on the watcher's thread whenever the versions change through another node or process
     * (e.g. a CA key activated there: this node then opens it).
     */
    public void onVersionChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Something changed through this node: wake every waiter now. */
    public void changed() {
        krl.invalidate();
        wakeAll();
    }

    public int waiting() {
        return waiters.size();
    }

    private void check() {
        try {
            AgentStateDao.Versions v = db.read(dsl -> new AgentStateDao(dsl).versions());
            AgentStateDao.Versions before = last;
            last = v;
            if (before != null && !before.equals(v)) {
                krl.invalidate();
                wakeAll();
                for (Runnable l : listeners) {
                    try {
                        l.run();
                    } catch (RuntimeException e) {
                        LOG.warn("after an agent state change: {}", e.toString());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("agent state version check failed: {}", e.toString());
        }
    }

    private void wakeAll() {
        for (CompletableFuture<Void> f : waiters) {
            f.complete(null);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        wakeAll();
    }
}
