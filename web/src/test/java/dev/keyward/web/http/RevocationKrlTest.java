package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.krl.Krl;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevocationKrlTest {
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
        engineer = server.token("engineer", "bob");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Issued(long serial, String line, Path keyPub, Path certFile) {
    }

    static Issued issue(String name) throws Exception {
        Path pub = TestKeys.publicKeyFile(dir, name, "ed25519");
        Api.Resp r = api.post("/api/v1/certs/user", engineer, Map.of("public_key", Files.readString(pub)));
        assertEquals(201, r.status(), r.toString());
        String line = r.json().get("certificate").asText();
        Path certFile = dir.resolve(name + "-cert.pub");
        Files.writeString(certFile, line + "\n");
        return new Issued(r.json().get("serial").asLong(), line, pub, certFile);
    }

    static Api.Resp krl() {
        Api.Resp r = api.get("/api/v1/krl", null);
        assertEquals(200, r.status(), r.toString());
        assertEquals("application/octet-stream", r.contentType());
        return r;
    }

    @Test
    void revokedSerialIsInTheKrlAndTheEtagChanges() throws Exception {
        Issued c = issue("rev1");
        Issued keep = issue("keep1");
        Api.Resp before = krl();
        String etag = before.header("ETag");
        assertEquals("\"" + Krl.parse(before.bytes()).version() + "\"", etag);

        Api.Resp revoke = api.post("/api/v1/certs/" + c.serial() + "/revoke", admin, Map.of("reason", "laptop stolen"));
        assertEquals(200, revoke.status(), revoke.toString());
        assertEquals("revoked", revoke.json().get("certificate").get("status").asText());
        long version = revoke.json().get("krl_version").asLong();

        Api.Resp after = krl();
        assertNotEquals(etag, after.header("ETag"));
        Krl parsed = Krl.parse(after.bytes());
        assertEquals(version, parsed.version());
        SignedCertificate revoked = CertificateCodec.decodeLine(c.line());
        assertTrue(parsed.isRevoked(revoked));
        assertFalse(parsed.isRevoked(CertificateCodec.decodeLine(keep.line())));

        // OpenSSH agrees: ssh-keygen -Q exits 1 for a revoked key, 0 otherwise
        Path krlFile = dir.resolve("krl1");
        Files.write(krlFile, after.bytes());
        assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", krlFile.toString(), c.certFile().toString())).exitCode());
        assertEquals(0, Cmd.run(List.of("ssh-keygen", "-Q", "-f", krlFile.toString(), keep.certFile().toString())).exitCode());

        assertEquals("revoked", api.get("/api/v1/certs/" + c.serial(), admin).json().get("status").asText());
        assertTrue(api.get("/api/v1/certs?status=revoked", admin).body().contains("\"serial\":" + c.serial()));
    }

    @Test
    void ifNoneMatchWithTheCurrentVersionGets304() {
        Api.Resp r = krl();
        String etag = r.header("ETag");
        Api.Resp again = api.get("/api/v1/krl", null, Map.of("If-None-Match", etag));
        assertEquals(304, again.status());
        assertEquals(0, again.bytes().length);
        assertEquals(etag, again.header("ETag"));
        assertEquals(200, api.get("/api/v1/krl", null, Map.of("If-None-Match", "\"0\"")).status());
    }

    @Test
    void revokingTwiceKeepsTheVersionAndUnknownSerialIs404() throws Exception {
        Issued c = issue("twice");
        long v1 = api.post("/api/v1/certs/" + c.serial() + "/revoke", admin, Map.of("reason", "x")).json()
                .get("krl_version").asLong();
        Api.Resp second = api.post("/api/v1/certs/" + c.serial() + "/revoke", admin, Map.of("reason", "x"));
        assertEquals(200, second.status());
        assertEquals(v1, second.json().get("krl_version").asLong());
        assertEquals(404, api.post("/api/v1/certs/999999/revoke", admin, Map.of("reason", "x")).status());
        assertEquals(400, api.post("/api/v1/certs/" + c.serial() + "/revoke", admin, Map.of()).status());
    }

    @Test
    void revokedPublicKeyIsInTheKrlItsCertsAreRevokedAndItGetsNoNewCert() throws Exception {
        Issued c = issue("stolen");
        String pub = Files.readString(c.keyPub()).strip();
        Api.Resp r = api.post("/api/v1/revocations", admin, Map.of("public_key", pub, "reason", "key leaked"));
        assertEquals(201, r.status(), r.toString());
        assertEquals("key", r.json().get("kind").asText());
        assertEquals(1, r.json().get("certificates_revoked").asInt());
        Krl parsed = Krl.parse(krl().bytes());
        SshPublicKey key = TestKeys.read(c.keyPub());
        assertTrue(parsed.isRevoked(key));
        assertEquals("revoked", api.get("/api/v1/certs/" + c.serial(), admin).json().get("status").asText());

        Api.Resp again = api.post("/api/v1/certs/user", engineer, Map.of("public_key", pub));
        assertEquals(403, again.status(), again.toString());
        assertEquals("revocations.key", again.json().get("rule").asText());
    }

    @Test
    void revokedFingerprintAndKeyIdReachTheKrl() throws Exception {
        Issued byFp = issue("fp");
        SshPublicKey key = TestKeys.read(byFp.keyPub());
        assertEquals(201, api.post("/api/v1/revocations", admin,
                Map.of("fingerprint", key.fingerprint(), "reason", "lost")).status());
        Krl parsed = Krl.parse(krl().bytes());
        assertTrue(parsed.isRevoked(key));
        assertTrue(parsed.isRevoked(CertificateCodec.decodeLine(byFp.line())));

        TestServer other = server;
        String carol = other.token("engineer", "carol");
        Path pub = TestKeys.publicKeyFile(dir, "carol", "ed25519");
        Api.Resp issued = api.post("/api/v1/certs/user", carol, Map.of("public_key", Files.readString(pub)));
        assertEquals(201, issued.status(), issued.toString());
        Api.Resp r = api.post("/api/v1/revocations", admin, Map.of("key_id", "carol", "reason", "left the company"));
        assertEquals(201, r.status(), r.toString());
        assertEquals(1, r.json().get("certificates_revoked").asInt());
        assertTrue(Krl.parse(krl().bytes()).isRevoked(CertificateCodec.decodeLine(issued.json().get("certificate").asText())));
        Api.Resp refused = api.post("/api/v1/certs/user", carol,
                Map.of("public_key", Files.readString(TestKeys.publicKeyFile(dir, "carol2", "ed25519"))));
        assertEquals(403, refused.status(), refused.toString());
        assertEquals("revocations.key_id", refused.json().get("rule").asText());
    }

    @Test
    void revocationNeedsExactlyOneTargetAndAReason() {
        assertEquals(400, api.post("/api/v1/revocations", admin, Map.of("reason", "x")).status());
        assertEquals(400, api.post("/api/v1/revocations", admin,
                Map.of("key_id", "a", "fingerprint", "SHA256:x", "reason", "x")).status());
        assertEquals(400, api.post("/api/v1/revocations", admin, Map.of("key_id", "a")).status());
        Api.Resp badFp = api.post("/api/v1/revocations", admin, Map.of("fingerprint", "MD5:aa", "reason", "x"));
        assertEquals(400, badFp.status());
        assertTrue(badFp.json().get("detail").asText().contains("SHA256:"), badFp.toString());
    }
}
