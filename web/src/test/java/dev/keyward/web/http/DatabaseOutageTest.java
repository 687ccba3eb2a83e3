package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database goes away under a running server: 503 problem+json, then recovery without a restart. */
class DatabaseOutageTest {
    @TempDir
    Path dir;

    private EmbeddedPostgres startPostgres(Path data, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
    }

    @Test
    void databaseDownGives503AndTheServerRecoversByItself() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("pgdata");
        EmbeddedPostgres pg = startPostgres(data, port);
        TestServer server = null;
        try {
            server = TestServer.start(dir.resolve("home"), new TestDatabases.Db(pg.getJdbcUrl("postgres", "postgres"),
                    "postgres", null, "postgres"));
            Api api = server.api();
            String engineer = server.token("engineer", "olga");
            String key = Files.readString(TestKeys.publicKeyFile(dir, "k", "ed25519"));
            assertEquals(201, api.post("/api/v1/certs/user", engineer, Map.of("public_key", key)).status());
            String etag = api.get("/api/v1/krl", null).header("ETag");

            pg.close();
            pg = null;

            Api.Resp down = api.post("/api/v1/certs/user", engineer, Map.of("public_key", key));
            assertEquals(503, down.status(), down.toString());
            assertTrue(down.contentType().startsWith("application/problem+json"), down.contentType());
            assertTrue(down.json().get("detail").asText().contains("database"), down.toString());
            assertEquals("5", down.header("Retry-After"));
            assertEquals(503, api.get("/readyz", null).status());
            assertEquals(200, api.get("/healthz", null).status());
            Api.Resp krl = api.get("/api/v1/krl", null);
            assertEquals(200, krl.status(), "the last KRL is still served: " + krl);
            assertEquals(etag, krl.header("ETag"));

            pg = startPostgres(data, port);
            Api.Resp back = null;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                back = api.post("/api/v1/certs/user", engineer, Map.of("public_key", key));
                if (back.status() == 201) {
                    break;
                }
                Thread.sleep(250);
            }
            assertEquals(201, back.status(), "no recovery: " + back);
            assertEquals(200, api.get("/readyz", null).status());
            assertTrue(api.get("/api/v1/audit/verify", server.adminToken()).json().get("ok").asBoolean());
        } finally {
            if (server != null) {
                server.close();
            }
            if (pg != null) {
                pg.close();
            }
        }
    }
}
