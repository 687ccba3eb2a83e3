package dev.keyward.web.service;

import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.db.AgentStateDao;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.CaKeyDao.CaKeyRow;
import dev.keyward.web.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes retired CA keys out of the trust bundle once the last certificate they signed has expired
 * ({@code trusted_until}): each such key gets {@code trust_ended_at}, the trust bundle and agent state versions rise
 * (agents then install the smaller bundle) and a {@code ca_key.trust_end} audit entry records it, in one
 * transaction. Every node runs it; the CA key lock makes one of them do each change.
 */
public final class CaTrustExpiry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaTrustExpiry.class);
    /** How often each node looks (one indexed read of a table of a few rows). */
    public static final Duration INTERVAL = Duration.ofSeconds(2);

    private final Database db;
    private final Clock clock;
    private final Runnable afterChange;
    /** Null for a manual instance; set once, right after construction, before any other thread sees it. */
    private volatile ScheduledExecutorService timer;

    private CaTrustExpiry(Database db, Clock clock, Runnable afterChange) {
        this.db = db;
        this.clock = clock;
        this.afterChange = afterChange;
    }

    /** Runs every {@code interval} on a daemon thread; {@code afterChange} runs after each change. */
    public static CaTrustExpiry start(Database db, Clock clock, Runnable afterChange, Duration interval) {
        CaTrustExpiry started = new CaTrustExpiry(db, clock, afterChange);
        started.timer = Periodic.every("keyward-ca-trust-expiry", interval, started::runQuietly);
        return started;
    }

    private void runQuietly() {
        try {
            endExpired();
        } catch (RuntimeException e) {
            LOG.debug("CA trust expiry check failed (will retry): {}", e.toString());
        }
    }

    /** Ends the trust in every retired key whose certificates have all expired; returns those keys. */
    public List<CaKeyRow> endExpired() {
        Instant now = clock.instant();
        if (db.read(tx -> new CaKeyDao(tx).retiredAndExpired(now)).isEmpty()) {
            return List.of(); // the usual case: no transaction, no lock
        }
        List<CaKeyRow> ended = db.transaction(tx -> {
            tx.execute("SELECT pg_advisory_xact_lock(" + CaKeyBootstrap.CA_KEY_LOCK + ")");
            CaKeyDao keys = new CaKeyDao(tx);
            List<CaKeyRow> due = keys.retiredAndExpired(now);
            if (due.isEmpty()) {
                return due;
            }
            due.forEach(k -> keys.endTrust(k.id(), now));
            long trust = keys.bumpTrustVersion(now);
            new AgentStateDao(tx).bump(now);
            AuditLog audit = new AuditLog(tx);
            for (CaKeyRow k : due) {
                Map<String, Object> d = CaKeyTransitions.keyDetails(k);
                d.put("trusted_until", k.trustedUntil().map(Instant::toString).orElse(null));
                d.put("trust_version", trust);
                audit.append(KrlPruner.ACTOR, "ca_key.trust_end", "ca_key:" + k.id(), d);
            }
            return due;
        });
        for (CaKeyRow k : ended) {
            LOG.info("Retired {} CA key {} ({}) left the trust bundle: every certificate it signed has expired",
                    k.purpose().label(), k.id(), k.fingerprint());
        }
        if (!ended.isEmpty()) {
            afterChange.run();
        }
        return ended;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
