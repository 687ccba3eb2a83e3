package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.CaKeyDao.CaKeyRow;
import dev.keyward.web.db.CaKeyState;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.FleetDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /ca/keys} and {@code ca status}: every CA key with its state, age and certificates still valid, and
 * the rotation's progress per purpose. User keys: how many enrolled hosts report a trust bundle that lists the
 * newest trusted key (the pending one during a rotation); host keys: how many have host certificates from the
 * active key (hosts renew theirs within one agent cycle of an activation).
 */
public final class CaKeyStatus {
    private static final PublicKeyParser LENIENT = new PublicKeyParser(new KeyPolicy(1024));

    private final Database db;
    private final Clock clock;

    public CaKeyStatus(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * One key.
     *
     * @param algorithm         the key's SSH type ({@code ecdsa-sha2-nistp256}, ...)
     * @param validCertificates unrevoked certificates it signed that have not expired
     * @param trusted           whether it is in the trust bundle ({@code /ca/user} or {@code /ca/host})
     */
    public record KeyStatus(CaKeyRow key, String algorithm, int bits, Duration age, long validCertificates,
            boolean trusted) {
    }

    /**
     * The rotation's progress for one purpose.
     *
     * @param keyId    the key hosts should have (user: the newest trusted key; host: the active key)
     * @param enrolled enrolled hosts
     * @param current  of those, how many have it (user: trust it; host: host certificates from it)
     * @param lagging  the enrolled hosts seen in the last day that do not have it yet
     * @param notSeen  enrolled hosts without it that were not seen for a day (not counted against activation)
     * @param summary  one line, e.g. "1,204 of 1,210 enrolled hosts trust user CA key 3; 6 lagging: a, b, ..."
     */
    public record Progress(CertType purpose, long keyId, int enrolled, int current, List<String> lagging, int notSeen,
            String summary) {
    }

    /** Every key, oldest first, the trust bundle version, and the progress of each purpose. */
    public record Status(long trustVersion, List<KeyStatus> keys, List<Progress> progress) {
    }

    public Status status() {
        Instant now = clock.instant();
        return db.transaction(tx -> {
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
            CaKeyDao dao = new CaKeyDao(tx);
            List<CaKeyRow> rows = dao.all();
            Map<Long, Long> valid = dao.validCertificates(now);
            List<KeyStatus> keys = new ArrayList<>();
            for (CaKeyRow r : rows) {
                SshPublicKey k = LENIENT.parseLine(r.publicKey());
                keys.add(new KeyStatus(r, k.type().sshName(), k.bits(), Duration.between(r.createdAt(), now),
                        valid.getOrDefault(r.id(), 0L), r.trusted()));
            }
            FleetDao fleet = new FleetDao(tx);
            List<FleetDao.EnrolledHost> hosts = fleet.enrolledHosts();
            Instant since = now.minus(CaKeyLifecycle.RECENTLY_SEEN);
            List<Progress> progress = new ArrayList<>();
            target(rows, CertType.USER).ifPresent(t -> progress.add(progress(CertType.USER, t, hosts, since,
                    h -> h.trustVersion().isPresent() && h.trustVersion().get() >= t.trustVersion())));
            Map<Long, List<Long>> certCas = fleet.newestHostCertCaKeys();
            target(rows, CertType.HOST).ifPresent(t -> progress.add(progress(CertType.HOST, t, hosts, since, h -> {
                List<Long> cas = certCas.getOrDefault(h.id(), List.of());
                return !cas.isEmpty() && cas.stream().allMatch(id -> id == t.id());
            })));
            return new Status(dao.trustVersion(), keys, progress);
        });
    }

    /** The key hosts should have: for user keys the pending one (else the active one), for host keys the active. */
    private static Optional<CaKeyRow> target(List<CaKeyRow> rows, CertType purpose) {
        Optional<CaKeyRow> pending = rows.stream().filter(r -> r.purpose() == purpose && r.state() == CaKeyState.PENDING)
                .findFirst();
        Optional<CaKeyRow> active = rows.stream().filter(r -> r.purpose() == purpose && r.state() == CaKeyState.ACTIVE)
                .findFirst();
        return purpose == CertType.USER && pending.isPresent() ? pending : active;
    }

    private static Progress progress(CertType purpose, CaKeyRow target, List<FleetDao.EnrolledHost> hosts,
            Instant since, java.util.function.Predicate<FleetDao.EnrolledHost> has) {
        int current = 0;
        int notSeen = 0;
        List<FleetDao.EnrolledHost> lagging = new ArrayList<>();
        for (FleetDao.EnrolledHost h : hosts) {
            if (has.test(h)) {
                current++;
            } else if (h.seenSince(since)) {
                lagging.add(h);
            } else {
                notSeen++;
            }
        }
        String what = purpose == CertType.USER ? " trust user CA key " + target.id()
                : " have host certificates from host CA key " + target.id();
        String summary = String.format("%,d of %,d enrolled hosts%s", current, hosts.size(), what)
                + (lagging.isEmpty() ? "" : String.format("; %,d lagging: %s", lagging.size(),
                        CaKeyLifecycle.names(lagging)))
                + (notSeen == 0 ? "" : String.format("; %,d not seen for a day", notSeen));
        return new Progress(purpose, target.id(), hosts.size(), current,
                lagging.stream().map(FleetDao.EnrolledHost::hostname).toList(), notSeen, summary);
    }
}
