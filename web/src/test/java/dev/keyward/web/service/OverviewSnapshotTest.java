package dev.keyward.web.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.config.InventoryConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overview's counts come from a snapshot (a page visit must not count a busy CA's week of certificates): a
 * visit within two refresh intervals of the snapshot reads it, while the KRL and trust versions are read live; an
 * older snapshot is counted again on the spot; the server's own instance takes its snapshot at start without any
 * visit, counts again only while someone visits, and shows an old snapshot marked while it counts again, on the
 * real server and database.
 */
class OverviewSnapshotTest {
    @TempDir
    Path tmp;

    @Test
    void visitsReadTheSnapshotUntilItIsTwoIntervalsOld() {
        try (TestServer server = TestServer.start(tmp.resolve("home"), TestDatabases.create())) {
            Database db = server.server().database();
            KrlService krl = server.server().services().krl();
            ConsoleSessionsTest.MovableClock clock = new ConsoleSessionsTest.MovableClock(
                    Instant.now().truncatedTo(ChronoUnit.SECONDS));
            OverviewService overview = new OverviewService(db, clock, krl, new KeyInventoryService(db, clock,
                    InventoryConfig.DEFAULTS));
            String engineer = server.token("engineer", "alice");
            var issued = server.api().post("/api/v1/certs/user", engineer, Map.of("public_key",
                    SshKeyLines.ed25519("a")));
            assertEquals(201, issued.status(), issued.toString());

            OverviewService.Overview first = overview.overview(); // no snapshot yet: counted now
            assertEquals(1, valid(first));

            // 1,000 more certificates and a revocation: the counts stay the snapshot's, the KRL version is live
            insertValid(server, 1, 1000);
            var revoked = server.api().post("/api/v1/certs/" + issued.json().get("serial").asLong() + "/revoke",
                    server.adminToken(), Map.of("reason", "test"));
            assertEquals(200, revoked.status(), revoked.toString());
            clock.advance(OverviewService.REFRESH.multipliedBy(2));
            OverviewService.Overview visit = overview.overview();
            assertEquals(first.at(), visit.at(), "read from the snapshot");
            assertEquals(1, valid(visit), "the snapshot's count");
            assertEquals(first.krlVersion() + 1, visit.krlVersion(), "the KRL version is read at each visit");

            clock.advance(Duration.ofSeconds(1)); // now more than two intervals old: counted again
            OverviewService.Overview recounted = overview.overview();
            assertEquals(clock.instant(), recounted.at());
            assertEquals(1000, valid(recounted), "the inserted ones, without the revoked one");
        }
    }

    @Test
    void theServersOverviewTakesItsSnapshotAtStartWithoutAVisit() throws InterruptedException {
        try (TestServer server = TestServer.start(tmp.resolve("started"), TestDatabases.create())) {
            OverviewService overview = server.server().services().console().overview();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (overview.snapshot() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertNotNull(overview.snapshot(), "a snapshot within 20 s of the start");
            assertTrue(!overview.snapshot().at().isAfter(Instant.now()));
        }
    }

    /**
     * Counting a busy CA's week of certificates takes a CPU for a few hundred milliseconds, which shows in issuance's
     * tail latency on a small server: the background thread counts only while the console is in use, and a visit
     * after a quiet spell is shown the old counts, marked, while the thread counts again at once.
     */
    @Test
    void theBackgroundThreadCountsOnlyWhileSomeoneLooks() throws InterruptedException {
        try (TestServer server = TestServer.start(tmp.resolve("watched"), TestDatabases.create())) {
            Database db = server.server().database();
            KrlService krl = server.server().services().krl();
            ConsoleSessionsTest.MovableClock clock = new ConsoleSessionsTest.MovableClock(
                    Instant.now().truncatedTo(ChronoUnit.SECONDS));
            Duration refresh = Duration.ofMillis(300);
            OverviewService overview = OverviewService.start(db, clock, krl, new KeyInventoryService(db, clock,
                    InventoryConfig.DEFAULTS), refresh);
            try {
                waitFor(() -> overview.snapshot() != null, "the snapshot at start");
                assertEquals(0, valid(overview.snapshot()));
                insertValid(server, 1, 10);
                Thread.sleep(5 * refresh.toMillis()); // several rounds, nobody visiting: no count
                assertEquals(0, valid(overview.snapshot()), "not counted again while nobody looks");

                clock.advance(refresh.multipliedBy(3)); // the snapshot is now more than two intervals old
                OverviewService.Overview visit = overview.overview();
                assertEquals(0, valid(visit), "the visit is shown the snapshot it found, at once");
                assertTrue(visit.recounting(), "marked as being counted again");
                waitFor(() -> valid(overview.snapshot()) == 10, "the count the visit started");
                assertFalse(overview.overview().recounting());

                insertValid(server, 11, 20); // someone looked within WATCHED_FOR: the rounds count again
                waitFor(() -> valid(overview.snapshot()) == 20, "the next round's count");
            } finally {
                overview.close();
            }
        }
    }

    /** Valid certificates (8 hours from now), serials 3,000,000 + from..to, straight into the database. */
    private static void insertValid(TestServer server, int from, int to) {
        server.db().execute("""
                INSERT INTO certificates (serial, cert_type, ca_key_id, key_id, key_fingerprint, public_key,
                                          requester, valid_after, valid_before, issued_at, certificate)
                SELECT 3000000 + g, 'user', (SELECT min(id) FROM ca_keys WHERE purpose = 'user'), 'watch-' || g,
                       'SHA256:watch' || g, 'ssh-ed25519 AAAA', 'erin', now() - interval '1 minute',
                       now() + interval '8 hours', now(), 'cert'
                FROM generate_series(%d, %d) AS g""".formatted(from, to));
    }

    private static void waitFor(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static long valid(OverviewService.Overview o) {
        return o.active().stream().mapToLong(OverviewService.Active::count).sum();
    }
}
