package dev.keyward.web.service;

import dev.keyward.web.db.Database;
import dev.keyward.web.db.DatabaseUnavailableException;
import dev.keyward.web.db.FleetDao;
import dev.keyward.web.metrics.ServerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The fleet's health as gauges, for the alerts an operator sets (docs/operator-guide.md, "Monitoring"):
 * <ul>
 *   <li>{@code keyward_hosts_enrolled};</li>
 *   <li>{@code keyward_hosts_last_contact_oldest_seconds}: how long ago the enrolled host heard from least recently
 *       last reached the server (its enrollment, if never since): an agent that stopped;</li>
 *   <li>{@code keyward_hosts_krl_behind}: hosts whose agent reports a KRL older than the current one, and
 *       {@code keyward_hosts_krl_behind_seconds}: how long the current KRL version has existed while some host
 *       does not have it (0 when every host does): revocations not reaching hosts;</li>
 *   <li>{@code keyward_host_credential_expiry_soonest_seconds}: time left on the enrolled host credential that
 *       expires first (negative once expired): agents that cannot renew theirs.</li>
 * </ul>
 * An empty fleet reads NaN where there is no host to measure, and every gauge reads NaN while the database is
 * down. One aggregate query serves every gauge; its result is kept for {@link #CACHE}, so scrapes from several
 * Prometheus servers cost one query a second.
 */
public final class FleetGauges {
    static final Duration CACHE = Duration.ofSeconds(1);

    private final Database db;
    private final Clock clock;
    private FleetDao.Health health;
    private Instant readAt = Instant.MIN;

    private FleetGauges(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Registers the gauges with {@code metrics}. */
    public static void register(Database db, Clock clock, ServerMetrics metrics) {
        FleetGauges g = new FleetGauges(db, clock);
        metrics.gauge("keyward.hosts.enrolled", "enrolled hosts", g.value(h -> h.enrolled()));
        metrics.gauge("keyward.hosts.last.contact.oldest.seconds",
                "seconds since the least recently heard-from enrolled host last reached the server",
                g.value(h -> h.oldestContact().map(t -> (Number) seconds(t, clock.instant())).orElse(Double.NaN)));
        metrics.gauge("keyward.hosts.krl.behind", "enrolled hosts whose agent reports an older KRL",
                g.value(h -> h.krlBehind()));
        metrics.gauge("keyward.hosts.krl.behind.seconds",
                "seconds the current KRL version has existed while a host does not have it (0: every host has it)",
                g.value(h -> h.krlBehind() == 0 ? 0 : seconds(h.krlChangedAt(), clock.instant())));
        metrics.gauge("keyward.host.credential.expiry.soonest.seconds",
                "seconds left on the enrolled host credential that expires first (negative: expired)",
                g.value(h -> h.soonestCredentialExpiry().map(t -> (Number) seconds(clock.instant(), t))
                        .orElse(Double.NaN)));
    }

    /** A gauge's value from the fleet's health; NaN while the database cannot be read (readyz says why). */
    private Supplier<Number> value(Function<FleetDao.Health, Number> f) {
        return () -> {
            FleetDao.Health h = health();
            return h == null ? Double.NaN : f.apply(h);
        };
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    private synchronized FleetDao.Health health() {
        Instant now = clock.instant();
        if (now.isBefore(readAt.plus(CACHE))) {
            return health;
        }
        readAt = now;
        try {
            health = db.read(tx -> new FleetDao(tx).health());
        } catch (DatabaseUnavailableException e) {
            health = null;
        }
        return health;
    }
}
