package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.krl.Krl;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.service.KrlPruner;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revoked certificates leave the KRL once they have expired (plus the margin), and only then. */
class KrlPruningTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Api api;
    static String admin;
    static String engineer;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create());
        api = server.api();
        admin = server.adminToken();
        engineer = server.token("engineer", "erin");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Issued(long serial, String line, Path certFile) {
    }

    static Issued issueAndRevoke(String name, String ttl) throws Exception {
        Path pub = TestKeys.publicKeyFile(dir, name, "ed25519");
        Api.Resp r = api.post("/api/v1/certs/user", engineer, Map.of("public_key", Files.readString(pub), "ttl", ttl));
        assertEquals(201, r.status(), r.toString());
        long serial = r.json().get("serial").asLong();
        assertEquals(200, api.post("/api/v1/certs/" + serial + "/revoke", admin, Map.of("reason", "test")).status());
        Path certFile = dir.resolve(name + "-cert.pub");
        Files.writeString(certFile, r.json().get("certificate").asText() + "\n");
        return new Issued(serial, r.json().get("certificate").asText(), certFile);
    }

    static Api.Resp krl() {
        Api.Resp r = api.get("/api/v1/krl", null);
        assertEquals(200, r.status(), r.toString());
        return r;
    }

    static KrlPruner prunerAt(Duration ahead) {
        Clock later = Clock.offset(Clock.systemUTC(), ahead);
        return KrlPruner.manual(server.server().database(), later, server.server().services().krl());
    }

    @Test
    void expiredRevokedCertsArePrunedOnceWithAnAuditEntryAndFreshOnesStay() throws Exception {
        Issued shortLived = issueAndRevoke("short", "5m");
        Issued longLived = issueAndRevoke("long", "8h");
        Api.Resp before = krl();
        Krl k0 = Krl.parse(before.bytes());
        assertTrue(k0.isRevoked(CertificateCodec.decodeLine(shortLived.line())));
        assertTrue(k0.isRevoked(CertificateCodec.decodeLine(longLived.line())));

        // now: nothing has expired, nothing is pruned and the version stays
        assertEquals(0, prunerAt(Duration.ZERO).pruneNow());
        // 30 minutes after the short cert expired: still inside the margin for late sshd clocks
        assertEquals(0, prunerAt(Duration.ofMinutes(35)).pruneNow());
        assertEquals(before.header("ETag"), krl().header("ETag"));

        // two hours on: the short cert expired over an hour ago and leaves; the 8 h one stays
        assertEquals(1, prunerAt(Duration.ofHours(2)).pruneNow());
        Api.Resp after = krl();
        assertNotEquals(before.header("ETag"), after.header("ETag"));
        Krl k1 = Krl.parse(after.bytes());
        assertEquals(k0.version() + 1, k1.version());
        assertFalse(k1.isRevoked(CertificateCodec.decodeLine(shortLived.line())));
        assertTrue(k1.isRevoked(CertificateCodec.decodeLine(longLived.line())));
        // OpenSSH reads the pruned KRL and still refuses the live revoked cert
        Path krlFile = dir.resolve("pruned.krl");
        Files.write(krlFile, after.bytes());
        assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", krlFile.toString(),
                longLived.certFile().toString())).exitCode());

        // a second run (another node, or the next tick) finds nothing more to do
        assertEquals(0, prunerAt(Duration.ofHours(2)).pruneNow());
        assertEquals(after.header("ETag"), krl().header("ETag"));

        // the prune is in the audit log, and the chain still verifies
        JsonNode audit = api.get("/api/v1/audit?action=krl.prune", admin).json();
        assertTrue(audit.toString().contains("\"pruned_serials\":1"), audit.toString());
        assertTrue(audit.toString().contains("\"actor\":\"" + KrlPruner.ACTOR + "\""), audit.toString());
        JsonNode verify = api.get("/api/v1/audit/verify", admin).json();
        assertTrue(verify.get("ok").asBoolean(), verify.toString());
        // the certificate itself stays revoked in the inventory
        assertEquals("revoked", api.get("/api/v1/certs/" + shortLived.serial(), admin).json().get("status").asText());
    }
}
