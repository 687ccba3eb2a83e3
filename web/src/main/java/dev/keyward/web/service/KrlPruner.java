package dev.keyward.web.service;

import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.db.CertificateDao;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.RevocationDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the KRL from growing with every revocation ever made: certificates are short-lived, and once a revoked
 * certificate has expired (plus {@link KrlService#PRUNE_MARGIN}) sshd refuses it anyway. The KRL's content is cut
 * at the time its version was raised, so pruning means raising the version; this does so when at least one
 * entry of the current version has become prunable, under the same row lock as revocations (several nodes may
 * run it: the second finds nothing to do) and with a {@code krl.prune} audit entry.
 */
public final class KrlPruner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KrlPruner.class);
    public static final String ACTOR = "keyward";
    /** How often each node looks for prunable entries. */
    public static final Duration INTERVAL = Duration.ofMinutes(10);

    private final Database db;
    private final Clock clock;
    private final KrlService krl;
    /** Null for a manual instance; set once, right after construction, before any other thread sees it. */
    private volatile ScheduledExecutorService timer;

    private KrlPruner(Database db, Clock clock, KrlService krl) {
        this.db = db;
        this.clock = clock;
        this.krl = krl;
    }

    /** A pruner that runs every {@code interval} on a daemon thread (first run after one interval). */
    public static KrlPruner start(Database db, Clock clock, KrlService krl, Duration interval) {
        KrlPruner started = new KrlPruner(db, clock, krl);
        started.timer = Periodic.every("keyward-krl-pruner", interval, started::runQuietly);
        return started;
    }

    /** A pruner without a timer, for {@link #pruneNow()} alone. */
    public static KrlPruner manual(Database db, Clock clock, KrlService krl) {
        return new KrlPruner(db, clock, krl);
    }

    private void runQuietly() {
        try {
            pruneNow();
        } catch (RuntimeException e) {
            LOG.warn("KRL pruning failed (will retry): {}", e.toString());
        }
    }

    /**
     * Raises the KRL version when revoked certificates in it have expired more than the margin ago.
     *
     * @return how many entries the new version drops (0: nothing to prune, the version is unchanged)
     */
    public int pruneNow() {
        Instant now = clock.instant();
        int pruned = db.transaction(tx -> {
            RevocationDao revocations = new RevocationDao(tx);
            RevocationDao.KrlState state = revocations.lockKrlState();
            Instant from = state.updatedAt().minus(KrlService.PRUNE_MARGIN);
            Instant to = now.minus(KrlService.PRUNE_MARGIN);
            if (!to.isAfter(from)) {
                return 0;
            }
            int n = new CertificateDao(tx).revokedExpiredBetween(from, to);
            if (n == 0) {
                return 0;
            }
            long version = revocations.bumpKrlVersion(now);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("pruned_serials", n);
            d.put("expired_before", to.toString());
            d.put("krl_version", version);
            new AuditLog(tx).append(ACTOR, "krl.prune", "krl:" + version, d);
            return n;
        });
        if (pruned > 0) {
            krl.invalidate();
            LOG.info("KRL: dropped {} revoked certificates that expired over {} ago", pruned,
                    dev.keyward.ca.Durations.format(KrlService.PRUNE_MARGIN));
        }
        return pruned;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
