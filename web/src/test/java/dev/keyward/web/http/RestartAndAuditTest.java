package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.ServerCli;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** Durability across restarts, concurrent issuance, and the audit chain under tampering. Each test owns its DB. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestartAndAuditTest {
    @TempDir
    Path dir;

    private String key(String name) throws Exception {
        return Files.readString(TestKeys.publicKeyFile(dir, name, "ed25519"));
    }

    @Test
    @Order(1)
    void restartKeepsTokensCertificatesCaKeysSerialsAndTheChain() throws Exception {
        try (TestServer s = TestServer.start(dir.resolve("home"), TestDatabases.create())) {
            String engineer = s.token("engineer", "erik");
            Api.Resp first = s.api().post("/api/v1/certs/user", engineer, Map.of("public_key", key("a")));
            assertEquals(201, first.status(), first.toString());
            long serial = first.json().get("serial").asLong();
            String userCa = s.api().get("/api/v1/ca/user", null).body();
            String hostCa = s.api().get("/api/v1/ca/host", null).body();
            assertEquals(200, s.api().post("/api/v1/certs/" + serial + "/revoke", s.adminToken(),
                    Map.of("reason", "before restart")).status());
            String etag = s.api().get("/api/v1/krl", null).header("ETag");

            s.restart();

            Api api = s.api();
            assertEquals(userCa, api.get("/api/v1/ca/user", null).body());
            assertEquals(hostCa, api.get("/api/v1/ca/host", null).body());
            assertEquals(etag, api.get("/api/v1/krl", null).header("ETag"));
            JsonNode stored = api.get("/api/v1/certs/" + serial, s.adminToken()).json();
            assertEquals(first.json().get("certificate").asText(), stored.get("certificate").asText());
            assertEquals("revoked", stored.get("status").asText());
            Api.Resp second = api.post("/api/v1/certs/user", engineer, Map.of("public_key", key("b")));
            assertEquals(201, second.status(), "the engineer token survives the restart: " + second);
            assertTrue(second.json().get("serial").asLong() > serial);
            JsonNode verify = api.get("/api/v1/audit/verify", s.adminToken()).json();
            assertTrue(verify.get("ok").asBoolean(), verify.toString());
            assertTrue(verify.get("entries").asLong() >= 6, verify.toString());
            // the bootstrap token was created once, not again on restart
            assertEquals(1, api.get("/api/v1/audit?action=token.create&actor=system", s.adminToken()).json()
                    .get("items").size());
        }
    }

    @Test
    @Order(2)
    void concurrentIssuanceGivesUniqueSerialsAndOneChain() throws Exception {
        try (TestServer s = TestServer.start(dir.resolve("home"), TestDatabases.create())) {
            String engineer = s.token("engineer", "conc");
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                keys.add(key("c" + i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Api.Resp>> results = new ArrayList<>();
                for (String k : keys) {
                    results.add(pool.submit(() -> s.api().post("/api/v1/certs/user", engineer, Map.of("public_key", k))));
                }
                Set<Long> serials = new HashSet<>();
                for (Future<Api.Resp> f : results) {
                    Api.Resp r = f.get();
                    assertEquals(201, r.status(), r.toString());
                    assertTrue(serials.add(r.json().get("serial").asLong()), "duplicate serial");
                }
                assertEquals(40, serials.size());
            } finally {
                pool.shutdownNow();
            }
            JsonNode verify = s.api().get("/api/v1/audit/verify", s.adminToken()).json();
            assertTrue(verify.get("ok").asBoolean(), verify.toString());
            assertEquals(40, s.api().get("/api/v1/audit?action=cert.issue&limit=1000", s.adminToken()).json()
                    .get("items").size());
        }
    }

    /** Runs {@code keyward-server audit verify --config FILE}; returns exit code and output. */
    private static String[] cliVerify(Path config) {
        ServerCli.Run r = ServerCli.run("audit", "verify", "--config", config.toString());
        return new String[] {Integer.toString(r.code()), r.output()};
    }

    @Test
    @Order(3)
    void modifiedDeletedAndReorderedEntriesAreNamed() throws Exception {
        try (TestServer s = TestServer.start(dir.resolve("home"), TestDatabases.create())) {
            String engineer = s.token("engineer", "tamper");
            for (int i = 0; i < 4; i++) {
                assertEquals(201, s.api().post("/api/v1/certs/user", engineer, Map.of("public_key", key("t" + i))).status());
            }
            String[] ok = cliVerify(s.configFile());
            assertEquals("0", ok[0], ok[1]);
            assertTrue(ok[1].contains("audit chain OK"), ok[1]);

            // modified: change who did entry 4
            s.db().execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4");
            JsonNode v = s.api().get("/api/v1/audit/verify", s.adminToken()).json();
            assertFalse(v.get("ok").asBoolean());
            assertEquals(4, v.get("first_bad_seq").asLong(), v.toString());
            assertTrue(v.get("problem").asText().contains("modified"), v.toString());
            String[] bad = cliVerify(s.configFile());
            assertEquals("1", bad[0], bad[1]);
            assertTrue(bad[1].contains("entry 4"), bad[1]);
            s.db().execute("UPDATE audit_log SET actor = (SELECT actor FROM audit_log WHERE seq = 5) WHERE seq = 4");
        }
    }

    @Test
    @Order(4)
    void deletedAndReorderedEntriesAreNamed() throws Exception {
        try (TestServer s = TestServer.start(dir.resolve("home"), TestDatabases.create())) {
            String engineer = s.token("engineer", "del");
            for (int i = 0; i < 5; i++) {
                assertEquals(201, s.api().post("/api/v1/certs/user", engineer, Map.of("public_key", key("d" + i))).status());
            }
            assertTrue(s.api().get("/api/v1/audit/verify", s.adminToken()).json().get("ok").asBoolean());

            // reordered: swap the details of entries 5 and 6
            s.db().execute("UPDATE audit_log a SET details = b.details FROM audit_log b"
                    + " WHERE (a.seq, b.seq) IN ((5, 6), (6, 5))");
            JsonNode swapped = s.api().get("/api/v1/audit/verify", s.adminToken()).json();
            assertFalse(swapped.get("ok").asBoolean());
            assertEquals(5, swapped.get("first_bad_seq").asLong(), swapped.toString());
            s.db().execute("UPDATE audit_log a SET details = b.details FROM audit_log b"
                    + " WHERE (a.seq, b.seq) IN ((5, 6), (6, 5))");
            assertTrue(s.api().get("/api/v1/audit/verify", s.adminToken()).json().get("ok").asBoolean());

            // deleted in the middle
            s.db().execute("DELETE FROM audit_log WHERE seq = 3");
            JsonNode gap = s.api().get("/api/v1/audit/verify", s.adminToken()).json();
            assertFalse(gap.get("ok").asBoolean());
            assertEquals(3, gap.get("first_bad_seq").asLong(), gap.toString());
            assertTrue(gap.get("problem").asText().contains("deleted"), gap.toString());

            // a self-consistent row put in its place still breaks the chain where it stands
            s.db().execute("INSERT INTO audit_log SELECT 3, occurred_at, actor, action, subject, details, prev_hash, hash"
                    + " FROM audit_log WHERE seq = 4");
            JsonNode replaced = s.api().get("/api/v1/audit/verify", s.adminToken()).json();
            assertFalse(replaced.get("ok").asBoolean());
            assertEquals(3, replaced.get("first_bad_seq").asLong(), replaced.toString());
        }
    }

    @Test
    @Order(5)
    void truncatedTailIsNamed() throws Exception {
        try (TestServer s = TestServer.start(dir.resolve("home"), TestDatabases.create())) {
            String engineer = s.token("engineer", "tail");
            assertEquals(201, s.api().post("/api/v1/certs/user", engineer, Map.of("public_key", key("x"))).status());
            JsonNode good = s.api().get("/api/v1/audit/verify", s.adminToken()).json();
            long head = good.get("head_seq").asLong();
            s.db().execute("DELETE FROM audit_log WHERE seq = " + head);
            JsonNode v = s.api().get("/api/v1/audit/verify", s.adminToken()).json();
            assertFalse(v.get("ok").asBoolean());
            assertEquals(head, v.get("first_bad_seq").asLong(), v.toString());
            assertTrue(v.get("problem").asText().contains("missing"), v.toString());
        }
    }
}
