package dev.keyward.web.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KRL's read of revoked certificates costs what the KRL holds, not every certificate ever issued: with many
 * valid certificates and 1% of them revoked, PostgreSQL's plan for it uses the partial index of revoked rows
 * (migration V8.1). Without that index it scanned the whole table on every KRL version, so agents' requests grew
 * slower by the minute under steady issuance (scripts/soak-server).
 */
class KrlQueryPlanTest {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void revokedCertificatesAreReadThroughThePartialIndex() {
        TestDatabases.Db db = server.db();
        // 50,000 certificates valid for hours, every 100th revoked; columns as issuance writes them
        db.execute("""
                INSERT INTO certificates (serial, cert_type, ca_key_id, key_id, key_fingerprint, public_key, requester,
                                          valid_after, valid_before, issued_at, certificate, revoked_at,
                                          revocation_reason)
                SELECT 1000000 + g, 'user', (SELECT min(id) FROM ca_keys WHERE purpose = 'user'), 'plan-' || g,
                       'SHA256:plan' || g, 'ssh-ed25519 AAAA', 'erin', now() - interval '1 minute',
                       now() + interval '8 hours' + g * interval '1 millisecond', now(), 'cert',
                       CASE WHEN g % 100 = 0 THEN now() END, CASE WHEN g % 100 = 0 THEN 'test' END
                FROM generate_series(1, 50000) AS g""");
        db.execute("ANALYZE certificates");

        Instant cut = Instant.now().minusSeconds(3600);
        String plan = server.server().database().read(dsl ->
                dsl.explain(new CertificateDao(dsl).revokedSerialsQuery(cut)).plan());
        assertTrue(plan.contains("certificates_revoked_valid_before"), plan);
        assertFalse(plan.contains("Seq Scan on certificates"), plan);

        // and the query still answers what the KRL needs: the 500 revoked serials, under the user CA key
        Map<Long, TreeSet<Long>> serials = server.server().database().read(dsl ->
                new CertificateDao(dsl).revokedSerialsByCaKey(cut));
        assertEquals(500, serials.values().stream().mapToInt(TreeSet::size).sum());
        assertEquals(1, serials.size());
    }
}
