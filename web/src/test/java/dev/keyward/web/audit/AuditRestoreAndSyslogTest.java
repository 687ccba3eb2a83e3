package dev.keyward.web.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit checkpoints with the audit key the server creates itself (a software key beside the test's software CA
 * keys): a restore from backup is signed as a rollback, so the checkpoints it replaced are reported as superseded
 * and not as a truncated chain (unless the rollback is missing); checkpoints reach a syslog collector over UDP and
 * TCP as RFC 5424 messages.
 */
class AuditRestoreAndSyslogTest {
    @TempDir
    Path dir;

    private void issue(TestServer s, String engineer, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String key = Files.readString(TestKeys.publicKeyFile(dir, "k" + System.nanoTime(), "ed25519"));
            Api.Resp r = s.api().post("/api/v1/certs/user", engineer, Map.of("public_key", key));
            assertEquals(201, r.status(), r.toString());
        }
    }

    private static JsonNode verify(TestServer s) {
        return s.api().get("/api/v1/audit/verify", s.adminToken()).json();
    }

    @Test
    void aRestoreIsSignedAsARollbackAndSupersedesTheCheckpointsItReplaced() throws Exception {
        Path home = dir.resolve("home");
        TestDatabases.Db db = TestDatabases.create();
        String yaml = "audit:\n  checkpoint_every: 1000\n";
        Path backup = dir.resolve("backup");
        Path config;
        long replaced;
        try (TestServer s = TestServer.start(home, db, yaml)) {
            config = s.configFile();
            // the server created its audit key beside the CA keys, and publishes it
            SshPublicKey created = PublicKeyParser.withDefaults().parseLine(
                    Files.readString(home.resolve("ca").resolve("audit-key.pub")));
            assertEquals(created.toOpenSshWithoutComment(), s.api().get("/api/v1/audit/key", null).json()
                    .get("public_key").asText());
            String engineer = s.token("engineer", "bea");
            issue(s, engineer, 2);
            s.server().services().checkpoints().checkpointNow();
            String[] b = AuditCheckpointsTest.cli("backup", "--to", backup.toString(), "--config", config.toString());
            assertEquals("0", b[0], b[1]);
            issue(s, engineer, 3);
            replaced = s.server().services().checkpoints().checkpointNow().orElseThrow().seq();
        }
        String[] r = AuditCheckpointsTest.cli("restore", "--from", backup.toString(), "--force", "--config",
                config.toString());
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("restore signed by the audit key"), r[1]);
        List<String> sink = Files.readAllLines(home.resolve("audit-checkpoints.log"));
        assertTrue(sink.get(sink.size() - 1).startsWith("keyward-audit-rollback v1 "), sink.toString());

        try (TestServer s = TestServer.start(home, db, yaml)) {
            JsonNode v = verify(s);
            assertTrue(v.get("ok").asBoolean(), v.toString());
            assertTrue(v.get("checkpoints").get("superseded").asInt() >= 1, v.toString());
            assertTrue(v.get("notes").toString().contains("signed before a restore"), v.toString());
            assertTrue(v.get("head_seq").asLong() < replaced, "the restore rolled the chain back: " + v);
            String[] ok = AuditCheckpointsTest.cli("audit", "verify", "--config", config.toString());
            assertEquals("0", ok[0], ok[1]);
            assertTrue(ok[1].contains("superseded by a restore"), ok[1]);

            // without the signed rollback (which only the audit key can make), the same state is a truncation
            s.db().execute("DELETE FROM audit_checkpoints WHERE kind = 'rollback'");
            Files.write(home.resolve("audit-checkpoints.log"), sink.subList(0, sink.size() - 1));
            JsonNode bad = verify(s);
            assertFalse(bad.get("ok").asBoolean(), bad.toString());
            assertTrue(bad.get("problems").toString().contains("\"kind\":\"truncated\""), bad.toString());
        }
    }

    @Test
    void checkpointsReachASyslogCollectorOverUdp() throws Exception {
        try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                TestServer s = TestServer.start(dir.resolve("home"), TestDatabases.create(), "audit:\n  sink:\n"
                        + "    file: \"off\"\n    syslog: udp://127.0.0.1:" + collector.getLocalPort() + "\n")) {
            collector.setSoTimeout(10_000);
            issue(s, s.token("engineer", "uma"), 1);
            s.server().services().checkpoints().checkpointNow();
            SshPublicKey key = auditKey(s);
            // the start-up checkpoint and this one, each in its own datagram
            for (int i = 0; i < 2; i++) {
                DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
                collector.receive(p);
                assertSignedSyslogMessage(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8), key);
            }
            assertFalse(Files.exists(s.home().resolve("audit-checkpoints.log")), "audit.sink.file: off");
        }
    }

    @Test
    void checkpointsReachASyslogCollectorOverTcpWithOctetCounting() throws Exception {
        try (ServerSocket collector = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            collector.setSoTimeout(20_000);
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket c = collector.accept()) {
                    c.setSoTimeout(20_000);
                    return frame(new DataInputStream(c.getInputStream()));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (TestServer s = TestServer.start(dir.resolve("home"), TestDatabases.create(),
                    "audit:\n  sink:\n    syslog: tcp://127.0.0.1:" + collector.getLocalPort() + "\n")) {
                assertSignedSyslogMessage(received.get(30, TimeUnit.SECONDS), auditKey(s));
            }
        }
    }

    private static SshPublicKey auditKey(TestServer s) {
        return PublicKeyParser.withDefaults().parseLine(s.api().get("/api/v1/audit/key", null).json()
                .get("public_key").asText());
    }

    /** One RFC 6587 octet-counted frame: "LEN SP MSG". */
    private static String frame(DataInputStream in) throws IOException {
        StringBuilder len = new StringBuilder();
        int ch;
        while ((ch = in.read()) != ' ') {
            if (ch < '0' || ch > '9' || len.length() > 6) {
                throw new IOException("not an octet-counted frame");
            }
            len.append((char) ch);
        }
        byte[] msg = new byte[Integer.parseInt(len.toString())];
        in.readFully(msg);
        return new String(msg, StandardCharsets.UTF_8);
    }

    /** {@code <37>1 TIMESTAMP HOST keyward PID audit-checkpoint - LINE}, LINE signed by the audit key. */
    private static void assertSignedSyslogMessage(String m, SshPublicKey key) {
        assertTrue(m.startsWith("<37>1 "), m);
        String[] f = m.split(" ", 8);
        assertEquals("keyward", f[3], m);
        assertEquals("audit-checkpoint", f[5], m);
        assertEquals("-", f[6], m);
        assertTrue(f[7].startsWith("keyward-audit-checkpoint v1 "), m);
        assertTrue(Checkpoint.parse(f[7]).signedBy(key), m);
    }
}
