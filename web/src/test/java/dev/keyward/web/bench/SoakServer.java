package dev.keyward.web.bench;

import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import dev.keyward.web.testing.SshKeyLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Soak load for a running {@code keyward-server} on embedded defaults (started by scripts/soak-server): for
 * {@code --minutes N}, user certificates at a fixed offered rate (open loop, latency from each request's due time,
 * see {@link OpenLoop}) from one engineer token per 10 certificates a second, 1% of them revoked by the admin, and
 * {@code --agents A} simulated agents polling, reporting usage and inventory ({@link SoakAgents}). One line per
 * minute: certificates per second, p50/p99 of the minute, revocations, agent requests, failures, and the server's
 * RSS, heap after GC, PostgreSQL database size, open files, threads and CPU ({@link ServerProbe}); at the end the
 * least-squares slopes of RSS and p99, a durability check, and the verdict ({@link SoakVerdict}). Exits 0 (1 when
 * {@code --strict} and not PASS).
 */
public final class SoakServer {
    private static final String HOST = "127.0.0.1";
    /** Connections sending certificate requests: enough to ride out a stall of a second at 1,000/s. */
    private static final int WORKERS = 32;
    /** Every this many certificates one is revoked (1%). */
    private static final int REVOKE_EVERY = 100;
    /** Certificates per second per engineer token: half of the default http.limits.issue_per_caller (20/s). */
    private static final int PER_ENGINEER = 10;

    private final int port;
    private final Path home;
    private final long serverPid;
    private final int minutes;
    private final int rate;
    private final int agentCount;
    private final int warmUpSeconds;
    private final long perMinute;
    /** Certificate requests due in the warm-up; request i >= this is in minute (i - warmUpCount) / perMinute. */
    private final long warmUpCount;
    private final List<String[]> engineers = new ArrayList<>(); // {token, username}
    private final List<String> keys = new ArrayList<>();
    private final List<String> fingerprints = new ArrayList<>();
    private final RecentCerts recent = new RecentCerts();
    private final BlockingQueue<Long> toRevoke = new LinkedBlockingQueue<>();
    private final AtomicLong issued = new AtomicLong();
    private final LongAdder revoked = new LongAdder();
    private volatile boolean issuanceOver;
    private SoakWindows windows;

    private SoakServer(BenchArgs o) {
        this.port = Integer.parseInt(o.required("port"));
        this.home = Path.of(o.required("home"));
        this.serverPid = Long.parseLong(o.required("server-pid"));
        this.minutes = o.atLeast("minutes", 1, 30);
        this.rate = o.atLeast("rate", 1, 300);
        this.agentCount = o.atLeast("agents", 1, 200);
        this.warmUpSeconds = o.atLeast("warmup", 0, 60);
        this.perMinute = 60L * rate;
        this.warmUpCount = (long) rate * warmUpSeconds;
    }

    public static void main(String[] args) throws Exception {
        BenchArgs o = new BenchArgs(args);
        boolean pass = new SoakServer(o).run();
        System.exit(pass || !o.strict() ? 0 : 1);
    }

    private boolean run() throws Exception {
        String admin = Files.readString(home.resolve("admin-token")).strip();
        String jdbc = EmbeddedDb.jdbcUrl(home);
        Properties login = EmbeddedDb.login(home);
        printf("keyward soak-server: JDK %s, %d CPUs, server PID %d on %s:%d; %d s warm-up and %d min, %,d certs/s"
                + " offered, %d%% revoked, %d agents%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), serverPid, HOST, port, warmUpSeconds, minutes, rate,
                100 / REVOKE_EVERY, agentCount);

        int engineerCount = (rate + PER_ENGINEER - 1) / PER_ENGINEER;
        long t0 = System.nanoTime();
        createEngineers(admin, engineerCount);
        for (int i = 0; i < 512; i++) {
            keys.add(SshKeyLines.ed25519("soak-" + i));
            fingerprints.add(SoakAgents.fingerprint(keys.get(i)));
        }
        SoakAgents agents = new SoakAgents(HOST, port, recent, userCaFingerprint());
        agents.enroll(admin, agentCount);
        printf("set-up: %d engineer tokens (%d certs/s each at most), %d hosts registered and enrolled in %.1f s%n",
                engineerCount, PER_ENGINEER, agentCount, (System.nanoTime() - t0) / 1e9);

        List<SoakVerdict.Minute> rows = new ArrayList<>();
        try (ServerProbe probe = new ServerProbe(serverPid, HOST, port, jdbc, login)) {
            ServerProbe.Sample before = probe.take();
            printf("before the load: RSS %.1f MB, heap after GC %.1f MB, database %.1f MB, %d open files, %d threads%n%n",
                    before.rssMb(), before.heapMb(), before.dbMb(), before.fds(), before.threads());
            windows = new SoakWindows(System.nanoTime(), TimeUnit.SECONDS.toNanos(warmUpSeconds), minutes);
            agents.start(windows);
            Thread revoker = Thread.ofPlatform().name("soak-revoker").start(() -> revokeLoop(admin));
            Throwable[] issuanceFailure = new Throwable[1];
            Thread issuance = Thread.ofPlatform().name("soak-issuance").start(() -> {
                try {
                    OpenLoop.run(HOST, port, WORKERS, rate, warmUpCount + perMinute * minutes, this::issue,
                            this::issueDone);
                } catch (InterruptedException | RuntimeException e) {
                    issuanceFailure[0] = e;
                } finally {
                    issuanceOver = true;
                }
            });
            printf("%3s %8s %7s %7s %7s %9s %9s %6s %7s %7s %7s %7s %5s %7s %5s %5s%n", "min", "certs/s", "p50 ms",
                    "p99 ms", "revoked", "agent r/s", "agent p99", "errors", "RSS MB", "heap MB", "live MB", "db MB",
                    "fds", "threads", "cpu%", "load");
            if (warmUpSeconds > 0) {
                print(0, windows.warmUp(), windows.warmUpEnd(), warmUpCount, warmUpSeconds, probe);
            }
            for (int m = 0; m < minutes; m++) {
                rows.add(print(m + 1, windows.minute(m), windows.endOf(m), perMinute, 60, probe));
                if (!ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false)) {
                    printf("FAIL: the server (PID %d) is gone; the soak ends here%n", serverPid);
                    System.exit(1); // the script prints the end of the server's log
                }
            }
            issuance.join(TimeUnit.SECONDS.toMillis(180));
            agents.stop();
            revoker.join(TimeUnit.SECONDS.toMillis(60));
            if (issuanceFailure[0] != null || issuance.isAlive()) {
                windows.failed(windows.minute(minutes - 1), "issuance did not finish",
                        String.valueOf(issuanceFailure[0]));
            }
        }
        durability(jdbc, login, agents);
        return verdict(rows, agents);
    }

    /**
     * Looks at the server a second before {@code end} (still under load: after the last minute the load stops), waits
     * until {@code end} and for the window's {@code due} certificate requests to be answered (40 s at most), and
     * prints its line: minute {@code n}, or the warm-up for 0.
     */
    private SoakVerdict.Minute print(int n, SoakWindow w, long end, long due, int seconds, ServerProbe probe)
            throws InterruptedException {
        sleepUntil(end - 1_000_000_000L);
        ServerProbe.Sample s = probe.take();
        sleepUntil(end);
        long deadline = System.nanoTime() + 40_000_000_000L;
        while (w.issueDone.sum() < due && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Latencies lat = w.issueLatencies();
        Latencies agentLat = w.agentLatencies();
        printf("%3s %8.1f %7.2f %7.2f %7d %9.1f %9.2f %6d %7.1f %7.1f %7.1f %7.1f %5d %7d %5.0f %5.2f%s%n", n == 0 ? "w" : Integer.toString(n),
                w.issued.sum() / (double) seconds, lat.millis(0.5), lat.millis(0.99), w.revoked.sum(),
                w.agentRequests.sum() / (double) seconds, agentLat.millis(0.99), w.failures(), s.rssMb(), s.heapMb(),
                s.liveMb(), s.dbMb(), s.fds(), s.threads(), s.cpuPercent(), s.load1(),
                w.failures() == 0 ? "" : "  [" + w.failureSummary() + "]");
        return new SoakVerdict.Minute(n, s, lat.millis(0.99), agentLat.millis(0.99));
    }

    private static void sleepUntil(long nanoTime) {
        for (long wait = nanoTime - System.nanoTime(); wait > 0; wait = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    // ------------------------------------------------------------------ the load

    /** Certificate request {@code i}: engineer i mod E, one of 512 subject keys; every 100th issued is revoked. */
    private boolean issue(long i, MiniHttp c) throws IOException {
        SoakWindow w = window(i);
        String[] engineer = engineers.get((int) (i % engineers.size()));
        int k = (int) ((i / engineers.size()) % keys.size());
        MiniHttp.Response r;
        try {
            r = c.send(MiniHttp.postJson(HOST, port, "/api/v1/certs/user", engineer[0],
                    "{\"public_key\":\"" + keys.get(k) + "\"}"));
        } catch (IOException e) {
            windows.failed(w, "issue I/O", e.toString());
            throw e;
        }
        if (r.status() != 201) {
            windows.failed(w, "issue HTTP " + r.status(), r.text());
            return false;
        }
        RecentCerts.Cert cert;
        try {
            cert = Json.read(r.body(), o -> new RecentCerts.Cert(o.unsignedLong("serial"), o.string("key_id"),
                    fingerprints.get(k), engineer[1]));
        } catch (JsonException e) {
            windows.failed(w, "issue answer unreadable", e.getMessage());
            return false;
        }
        recent.add(cert);
        if (issued.incrementAndGet() % REVOKE_EVERY == 0) {
            toRevoke.add(cert.serial());
        }
        return true;
    }

    /** The window certificate request {@code i} was due in. */
    private SoakWindow window(long i) {
        return i < warmUpCount ? windows.warmUp() : windows.minute((i - warmUpCount) / perMinute);
    }

    private void issueDone(int worker, long i, long latencyNanos, boolean ok) {
        SoakWindow w = window(i);
        if (latencyNanos < 0) {
            windows.failed(w, "issue not sent", "still queued " + OpenLoop.GIVE_UP_NANOS / 1_000_000_000L
                    + " s after it was due: the server fell behind");
        } else {
            w.issueLatency(latencyNanos);
        }
        if (ok) {
            w.issued.increment();
        }
        w.issueDone.increment();
    }

    /** Revokes what {@link #issue} queued, as the admin, until issuance is over and the queue is empty. */
    private void revokeLoop(String admin) {
        try (MiniHttp c = new MiniHttp(HOST, port)) {
            while (!issuanceOver || !toRevoke.isEmpty()) {
                Long serial = toRevoke.poll(200, TimeUnit.MILLISECONDS);
                if (serial == null) {
                    continue;
                }
                try {
                    MiniHttp.Response r = c.send(MiniHttp.postJson(HOST, port, "/api/v1/certs/" + serial + "/revoke",
                            admin, "{\"reason\":\"soak\"}"));
                    SoakWindow w = windows.now();
                    if (r.status() == 200) {
                        w.revoked.increment();
                        revoked.increment();
                    } else {
                        windows.failed(w, "revoke HTTP " + r.status(), r.text());
                    }
                } catch (IOException e) {
                    windows.failed(windows.now(), "revoke I/O", e.toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void createEngineers(String admin, int count) throws IOException {
        String ttl = (minutes / 1440 + 1) + "d";
        try (MiniHttp c = new MiniHttp(HOST, port)) {
            for (int i = 0; i < count; i++) {
                String name = String.format(Locale.ROOT, "soak-%03d", i);
                MiniHttp.Response r = c.send(MiniHttp.postJson(HOST, port, "/api/v1/tokens", admin, "{\"name\":\"" + name
                        + "\",\"role\":\"engineer\",\"username\":\"" + name + "\",\"ttl\":\"" + ttl + "\"}"));
                if (r.status() != 201) {
                    throw new IllegalStateException("cannot create an engineer token: " + r.status() + " " + r.text());
                }
                engineers.add(new String[] {(String) Json.parseObject(r.body()).get("token"), name});
            }
        }
    }

    /** The fingerprint of the user CA key (the first line of GET /api/v1/ca/user), as sshd logs it. */
    private String userCaFingerprint() throws IOException {
        try (MiniHttp c = new MiniHttp(HOST, port)) {
            MiniHttp.Response r = c.send(MiniHttp.get(HOST, port, "/api/v1/ca/user"));
            String first = r.text().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("GET /api/v1/ca/user gave no key: " + r.text()));
            return SoakAgents.fingerprint(first);
        }
    }

    // ------------------------------------------------------------------ checks and verdict

    /**
     * Every certificate answered 201 is a row, every revocation answered 200 is marked, and every usage event
     * acknowledged is stored, in the database.
     */
    private void durability(String jdbc, Properties login, SoakAgents agents) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc, login); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM certificates WHERE cert_type = 'user'),"
                        + " (SELECT count(*) FROM certificates WHERE cert_type = 'user' AND revoked_at IS NOT NULL),"
                        + " (SELECT count(*) FROM usage_events)")) {
            rs.next();
            long rows = rs.getLong(1);
            long revokedRows = rs.getLong(2);
            long events = rs.getLong(3);
            printf("%ndurability: %,d user certificates in the database for %,d answered 201; %,d revoked for %,d answered"
                    + " 200; %,d usage events stored for %,d acknowledged (%,d inventory reports taken)%n", rows,
                    issued.get(), revokedRows, revoked.sum(), events, agents.eventsAcknowledged.sum(),
                    agents.inventories.sum());
            if (rows != issued.get() || revokedRows != revoked.sum() || events != agents.eventsAcknowledged.sum()) {
                windows.failed(windows.minute(minutes - 1), "database disagrees", rows + " user certificates, "
                        + revokedRows + " revoked, " + events + " usage events in the database");
            }
        }
    }

    private boolean verdict(List<SoakVerdict.Minute> rows, SoakAgents agents) {
        long failures = windows.failures();
        long judged = 0;
        for (int m = 0; m < minutes; m++) {
            judged += windows.minute(m).issued.sum();
        }
        printf("%n%,d certificates issued in %d min (%,.1f/s; %,d more in the warm-up), %,d revoked; failures: %,d%n",
                judged, minutes, judged / (minutes * 60.0), windows.warmUp().issued.sum(), revoked.sum(), failures);
        windows.firstDetails().forEach((what, detail) -> printf("  %s, e.g.: %s%n", what, detail));

        agents.summary().forEach(line -> printf("  agents' %s%n", line));
        return SoakVerdict.judge(rows, failures, System.out);
    }

    private static void printf(String format, Object... args) {
        System.out.printf(Locale.ROOT, format, args);
        System.out.flush();
    }
}
