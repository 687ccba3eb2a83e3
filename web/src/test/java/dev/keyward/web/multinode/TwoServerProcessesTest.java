package dev.keyward.web.multinode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.ServerProcess;
import dev.keyward.web.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code keyward-server} processes (separate JVMs, started together so that they also race to create the
 * CA keys and the bootstrap admin token) on one PostgreSQL database. Clients issue through both at once while an
 * admin revokes through both and a poller watches the KRL version on both. {@code RestartAndAuditTest} covers
 * concurrency inside one process; this is the cluster case, where no in-memory lock or counter can help.
 */
class TwoServerProcessesTest {
    static final int CLIENTS = 6;
    static final int PER_CLIENT = 20;
    static final int REVOKE_EVERY = 5;

    @TempDir
    Path dir;

    private Path config(String node, TestDatabases.Db db) throws Exception {
        Path home = Files.createDirectories(dir.resolve(node));
        Path pw = db.passwordFile(home);
        String yaml = "home: " + home + "\n"
                + "http:\n  bind: 127.0.0.1\n  port: 0\n"
                + "database:\n  url: \"" + db.url() + "\"\n  user: " + db.user() + "\n  pool_size: 4\n"
                + (pw == null ? "" : "  password_file: " + pw + "\n")
                + "ca:\n  storage: software\n"
                + "krl:\n  version_check_interval: 0\n";
        return Files.writeString(home.resolve("keyward.yaml"), yaml);
    }

    /** One issued certificate as a client saw it. */
    record Issued(long serial, String certificate, int node) {
    }

    @Test
    void twoProcessesOnOneDatabaseGiveUniqueDurableSerialsAMonotonicKrlAndOneVerifiedChain() throws Exception {
        TestDatabases.Db db = TestDatabases.create();
        Path configA = config("node-a", db);
        Path configB = config("node-b", db);
        try (ServerProcess a = ServerProcess.serve("node-a", configA, dir);
                ServerProcess b = ServerProcess.serve("node-b", configB, dir)) {
            a.awaitListening(120);
            b.awaitListening(120);
            assertTrue(a.pid() != b.pid());
            Api[] nodes = {new Api(a.port()), new Api(b.port())};

            // exactly one node created the bootstrap admin token (advisory lock), and both created no extra CA keys
            boolean tokenA = Files.exists(dir.resolve("node-a/admin-token"));
            boolean tokenB = Files.exists(dir.resolve("node-b/admin-token"));
            assertTrue(tokenA ^ tokenB, "exactly one node writes the bootstrap admin token: a=" + tokenA + " b=" + tokenB);
            String admin = Files.readString(dir.resolve(tokenA ? "node-a/admin-token" : "node-b/admin-token")).strip();
            assertEquals(2L, count(db, "SELECT count(*) FROM ca_keys"), "one user and one host CA key");
            assertEquals(nodes[0].get("/api/v1/ca/user", null).body(), nodes[1].get("/api/v1/ca/user", null).body());

            Api.Resp tok = nodes[1].post("/api/v1/tokens", admin,
                    Map.of("name", "load", "role", "engineer", "username", "loader", "ttl", "1h"));
            assertEquals(201, tok.status(), tok.toString());
            String engineer = tok.json().get("token").asText();

            List<Issued> issued = new CopyOnWriteArrayList<>();
            List<Long> revocationVersions = new CopyOnWriteArrayList<>();
            List<Long> observedVersions = new CopyOnWriteArrayList<>();
            Map<String, Integer> failures = new ConcurrentHashMap<>();
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger requests = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
            try {
                // one poller: KRL versions read one after another, alternating nodes, must never go down
                Future<?> poller = pool.submit(() -> {
                    int i = 0;
                    while (!done.get()) {
                        Api.Resp r = nodes[i++ % 2].get("/api/v1/krl", null);
                        if (r.status() != 200) {
                            failures.merge("krl " + r.status(), 1, Integer::sum);
                        } else {
                            observedVersions.add(Long.parseLong(r.header("ETag").replace("\"", "")));
                        }
                        sleep(5);
                    }
                    return null;
                });
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    clients.add(pool.submit(() -> {
                        for (int i = 0; i < PER_CLIENT; i++) {
                            int node = (client + i) % 2;
                            Api.Resp r = nodes[node].post("/api/v1/certs/user", engineer,
                                    Map.of("public_key", SshKeyLines.ed25519("c" + client + "-" + i)));
                            requests.incrementAndGet();
                            if (r.status() != 201) {
                                failures.merge("issue " + r.status() + " " + r.body(), 1, Integer::sum);
                                continue;
                            }
                            JsonNode j = r.json();
                            Issued x = new Issued(j.get("serial").asLong(), j.get("certificate").asText(), node);
                            issued.add(x);
                            if (i % REVOKE_EVERY == REVOKE_EVERY - 1) { // revoke through the other node
                                Api.Resp rv = nodes[1 - node].post("/api/v1/certs/" + x.serial() + "/revoke", admin,
                                        Map.of("reason", "multi-node test"));
                                if (rv.status() != 200) {
                                    failures.merge("revoke " + rv.status() + " " + rv.body(), 1, Integer::sum);
                                } else {
                                    revocationVersions.add(rv.json().get("krl_version").asLong());
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) {
                    f.get(180, TimeUnit.SECONDS);
                }
                done.set(true);
                poller.get(30, TimeUnit.SECONDS);
            } finally {
                done.set(true);
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "client threads did not stop");
            }

            assertTrue(failures.isEmpty(), "failed requests: " + failures);
            int total = CLIENTS * PER_CLIENT;
            assertEquals(total, issued.size());
            Map<Long, Issued> bySerial = new HashMap<>();
            for (Issued x : issued) {
                Issued dup = bySerial.put(x.serial(), x);
                assertTrue(dup == null, "serial " + x.serial() + " was returned twice (nodes " + x.node() + " and "
                        + (dup == null ? -1 : dup.node()) + ")");
            }
            assertTrue(issued.stream().anyMatch(x -> x.node() == 0) && issued.stream().anyMatch(x -> x.node() == 1));

            // every certificate a client got is on record, byte for byte
            Map<Long, String> stored = new HashMap<>();
            try (Connection c = db.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT serial, certificate FROM certificates WHERE cert_type = 'user'")) {
                while (rs.next()) {
                    stored.put(rs.getLong(1), rs.getString(2));
                }
            }
            for (Issued x : issued) {
                assertEquals(x.certificate(), stored.get(x.serial()), "certificate " + x.serial() + " in the database");
            }
            assertEquals(total, stored.size());
            assertEquals((long) total, count(db, "SELECT count(*) FROM audit_log WHERE action = 'cert.issue'"));

            // every revocation raised the KRL version to a value of its own; readers never saw it go down
            int revocations = CLIENTS * (PER_CLIENT / REVOKE_EVERY);
            assertEquals(revocations, revocationVersions.size());
            assertEquals(revocations, revocationVersions.stream().distinct().count(), "KRL versions " + revocationVersions);
            for (int i = 1; i < observedVersions.size(); i++) {
                assertTrue(observedVersions.get(i) >= observedVersions.get(i - 1),
                        "KRL version went down from " + observedVersions.get(i - 1) + " to " + observedVersions.get(i));
            }
            long max = revocationVersions.stream().mapToLong(Long::longValue).max().orElseThrow();
            for (Api n : nodes) {
                assertEquals("\"" + max + "\"", n.get("/api/v1/krl", null).header("ETag"), "both nodes serve the newest KRL");
            }
            assertEquals((long) revocations, count(db, "SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL"));

            // one audit chain, whichever node verifies it, and the CLI agrees
            JsonNode va = nodes[0].get("/api/v1/audit/verify", admin).json();
            JsonNode vb = nodes[1].get("/api/v1/audit/verify", admin).json();
            assertTrue(va.get("ok").asBoolean(), va.toString());
            // the same verdict; each node also reads its own checkpoint sink file, which holds every checkpoint
            ((com.fasterxml.jackson.databind.node.ObjectNode) va.get("checkpoints")).remove("sources");
            ((com.fasterxml.jackson.databind.node.ObjectNode) vb.get("checkpoints")).remove("sources");
            assertEquals(va, vb);
            long entries = count(db, "SELECT count(*) FROM audit_log");
            assertEquals(entries, va.get("entries").asLong(), va.toString());
            ServerProcess.Result cli = ServerProcess.run(dir, "audit", "verify", "--config", configB.toString());
            assertEquals(0, cli.exitCode(), cli.output());
            assertTrue(cli.output().contains("audit chain OK: " + entries + " entries"), cli.output());

            assertTrue(a.alive() && b.alive(), "both nodes still running");
        }
    }

    private static long count(TestDatabases.Db db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
