package dev.keyward.web.service;

import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.CertificateStatsDao;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.FleetDao;
import dev.keyward.web.db.KeyPageDao;
import dev.keyward.web.db.OverviewDao;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's overview in one read: issuance per hour over the last day and week, valid certificates by type and
 * requesting role, revocations, enrolled hosts by how current their agents are, and keys per inventory flag.
 *
 * <p>Its counts grow with the certificates issued in a week and valid now (a busy CA: hundreds of thousands of
 * rows; 133,400 valid ones took 250-360 ms to count in scripts/bench-server), so a page visit does not count them:
 * a node's background thread takes a snapshot at start and then every {@code console.overview_refresh} (30 s) while
 * the console is in use (a visit in the last {@link #WATCHED_FOR} or two intervals, whichever is longer), and a visit
 * reads the newest one (the page says when it was taken). The database does this work once per interval per node
 * however many people look, and not at all while nobody looks: counting takes a CPU for a few hundred milliseconds,
 * which on a small server shows in issuance's tail latency (scripts/bench-server found a 50-90 ms stall at 1,000
 * certificates a second in one run of five, every time the count ran). A visit that finds the snapshot more than two
 * intervals old (after a quiet spell, or a database outage) is shown it, marked as being counted again, and starts
 * the count at once; only a visit that finds none counts for itself. Counting runs without parallel workers, so it
 * takes one CPU, never all of them.
 */
public final class OverviewService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OverviewService.class);
    /** An enrolled host not seen for this long counts as not seen rather than lagging. */
    static final Duration SEEN_WITHIN = Duration.ofDays(1);
    /** The refresh interval of an instance without its thread (the default of {@code console.overview_refresh}). */
    static final Duration REFRESH = Duration.ofSeconds(30);
    /** The background thread counts again only while a visit came within this long (or two intervals, if longer). */
    static final Duration WATCHED_FOR = Duration.ofMinutes(10);

    private final Database db;
    private final Clock clock;
    private final KrlService krl;
    private final KeyInventoryService inventory;
    private final AtomicReference<Overview> snapshot = new AtomicReference<>();
    private final AtomicBoolean recounting = new AtomicBoolean();
    private volatile Instant lastVisit = Instant.EPOCH;
    private Duration refresh = REFRESH;
    /** Null for an instance without its thread (tests); set once, right after construction. */
    private volatile ScheduledExecutorService timer;

    public OverviewService(Database db, Clock clock, KrlService krl, KeyInventoryService inventory) {
        this.db = db;
        this.clock = clock;
        this.krl = krl;
        this.inventory = inventory;
    }

    /** An overview whose snapshot a daemon thread takes now and every {@code refresh}. */
    public static OverviewService start(Database db, Clock clock, KrlService krl, KeyInventoryService inventory,
            Duration refresh) {
        OverviewService o = new OverviewService(db, clock, krl, inventory);
        o.refresh = refresh;
        o.timer = Periodic.every("keyward-overview", refresh, o::refreshIfWatched);
        o.timer.execute(o::refreshQuietly);
        return o;
    }

    /** The timer's round: counts again if someone visited lately. */
    private void refreshIfWatched() {
        Duration watched = WATCHED_FOR.compareTo(refresh.multipliedBy(2)) > 0 ? WATCHED_FOR : refresh.multipliedBy(2);
        if (!lastVisit.isBefore(clock.instant().minus(watched))) {
            refreshQuietly();
        }
    }

    private void refreshQuietly() {
        try {
            snapshot.set(compute());
        } catch (RuntimeException e) {
            LOG.warn("The console's overview could not be counted (will retry in {} s): {}", refresh.toSeconds(),
                    e.toString());
        }
    }

    /** The newest snapshot, or null before the first. */
    Overview snapshot() {
        return snapshot.get();
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Certificates issued in the hour starting at {@code hour}. */
    public record Bucket(Instant hour, long count) {
    }

    /** Valid, unrevoked certificates of a type requested by a role (the API token's; {@code oidc} without one). */
    public record Active(String type, String role, long count) {
    }

    /**
     * Enrolled hosts: {@code current} report the trust bundle and KRL served now; {@code lagging} were seen in the
     * last day with older ones (or none reported); {@code notSeen} were not seen for a day; {@code registered} are
     * not enrolled yet.
     */
    public record Hosts(int current, int lagging, int notSeen, long registered) {
    }

    /** {@code recounting}: the counts are older than two refresh intervals and are being counted again. */
    public record Overview(List<Bucket> lastDay, List<Bucket> lastWeek, List<Active> active, long revokedLastWeek,
            long keyRevocations, Hosts hosts, Map<KeyPageDao.Flag, Integer> keysByFlag, long krlVersion,
            long trustVersion, Instant at, boolean recounting) {
    }

    /** The KRL and trust bundle versions served now: what an up-to-date agent reports. */
    public record Versions(long krl, long trust) {
    }

    public Versions versions() {
        return new Versions(krl.current().version(), db.read(tx -> new CaKeyDao(tx).trustVersion()));
    }

    /**
     * The newest snapshot, with the KRL and trust bundle versions of now. Without a snapshot (or one from a clock
     * that ran ahead) it is counted on the spot. An instance with its background thread shows a snapshot older than
     * two refresh intervals marked as {@code recounting} and has the thread count again at once; one without (tests)
     * counts on the spot.
     */
    public Overview overview() {
        Overview s = snapshot.get();
        Instant now = clock.instant();
        lastVisit = now;
        boolean stale = s != null && s.at().isBefore(now.minus(refresh.multipliedBy(2)));
        if (s == null || s.at().isAfter(now) || (stale && timer == null)) {
            s = compute();
            snapshot.set(s);
            return s;
        }
        if (stale && recounting.compareAndSet(false, true)) {
            try {
                timer.execute(() -> {
                    try {
                        refreshQuietly();
                    } finally {
                        recounting.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                recounting.set(false); // shutting down
            }
        }
        Versions v = versions();
        return new Overview(s.lastDay(), s.lastWeek(), s.active(), s.revokedLastWeek(), s.keyRevocations(), s.hosts(),
                s.keysByFlag(), v.krl(), v.trust(), s.at(), stale);
    }

    private Overview compute() {
        Instant now = clock.instant();
        Instant hour = now.truncatedTo(ChronoUnit.HOURS);
        Instant weekStart = hour.minus(Duration.ofHours(167));
        long krlVersion = krl.current().version();
        record Read(Map<Instant, Long> perHour, List<Active> active, long revoked, long keyRevocations, Hosts hosts,
                long trust) {
        }
        Read r = db.transaction(tx -> {
            // one CPU for the counts, whatever the server's max_parallel_workers_per_gather: they are background work
            tx.execute("SET LOCAL max_parallel_workers_per_gather = 0");
            OverviewDao o = new OverviewDao(tx);
            long trust = new CaKeyDao(tx).trustVersion();
            List<Active> active = new CertificateStatsDao(tx).valid(now).stream()
                    .map(g -> new Active(g.type(), g.role(), g.count())).toList();
            return new Read(o.issuedPerHour(weekStart), active, o.revokedSince(now.minus(Duration.ofDays(7))),
                    o.keyRevocations(), hosts(new FleetDao(tx).enrolledHosts(), trust, krlVersion, now,
                    o.hostsNotEnrolled()), trust);
        });
        List<Bucket> week = new ArrayList<>(168);
        for (int i = 0; i < 168; i++) {
            Instant h = weekStart.plus(Duration.ofHours(i));
            week.add(new Bucket(h, r.perHour().getOrDefault(h, 0L)));
        }
        Map<KeyPageDao.Flag, Integer> flags = new EnumMap<>(KeyPageDao.Flag.class);
        for (KeyPageDao.Flag f : KeyPageDao.Flag.values()) {
            flags.put(f, inventory.list(new KeyInventoryService.Query(inventory.defaults(), 1, 0, Optional.empty(),
                    Optional.of(f), Optional.empty(), Optional.empty(), Optional.empty())).total().orElse(0));
        }
        return new Overview(List.copyOf(week.subList(144, 168)), List.copyOf(week), r.active(), r.revoked(),
                r.keyRevocations(), r.hosts(), flags, krlVersion, r.trust(), now, false);
    }

    private static Hosts hosts(List<FleetDao.EnrolledHost> enrolled, long trust, long krlVersion, Instant now,
            long registered) {
        int current = 0;
        int lagging = 0;
        int notSeen = 0;
        BigInteger krl = BigInteger.valueOf(krlVersion);
        for (FleetDao.EnrolledHost h : enrolled) {
            if (!h.seenSince(now.minus(SEEN_WITHIN))) {
                notSeen++;
            } else if (h.trustVersion().orElse(-1L) == trust && h.krlVersion().map(krl::equals).orElse(false)) {
                current++;
            } else {
                lagging++;
            }
        }
        return new Hosts(current, lagging, notSeen, registered);
    }
}
