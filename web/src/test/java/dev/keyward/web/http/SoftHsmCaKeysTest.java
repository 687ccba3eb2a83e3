package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.SoftHsm;
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

/** The server signing with CA keys in a SoftHSM2 token, named by PKCS#11 URIs in the configuration. */
class SoftHsmCaKeysTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static SshPublicKey userCa;
    static SshPublicKey hostCa;

    @BeforeAll
    static void start() {
        SoftHsm.Token token = SoftHsm.newToken();
        String userUri = token.uri("user-ca").toString();
        String hostUri = token.uri("host-ca").toString();
        try (CaSigner u = Signers.create(userUri, CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()));
                CaSigner h = Signers.create(hostUri, CaAlgorithm.ECDSA_P384, SecretSource.of(Map.of()))) {
            userCa = u.publicKey();
            hostCa = h.publicKey();
        }
        server = TestServer.start(dir.resolve("home"), TestDatabases.create(),
                "ca:\n  user_key: \"" + userUri + "\"\n  host_key: \"" + hostUri + "\"\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void certificatesAreSignedByTheTokenKeys() throws Exception {
        Api api = server.api();
        assertEquals(200, api.get("/readyz", null).status());
        assertEquals(userCa.toOpenSshWithoutComment() + "\n", api.get("/api/v1/ca/user", null).body());
        assertEquals("@cert-authority * " + hostCa.toOpenSshWithoutComment() + "\n", api.get("/api/v1/ca/host", null).body());

        String engineer = server.token("engineer", "hsm-user");
        Path pub = TestKeys.publicKeyFile(dir, "u", "ed25519");
        Api.Resp r = api.post("/api/v1/certs/user", engineer, Map.of("public_key", Files.readString(pub)));
        assertEquals(201, r.status(), r.toString());
        SignedCertificate cert = CertificateCodec.decodeLine(r.json().get("certificate").asText());
        assertEquals(userCa, cert.caKey());
        Path certFile = dir.resolve("u-cert.pub");
        Files.writeString(certFile, r.json().get("certificate").asText() + "\n");
        String listing = Cmd.run(List.of("ssh-keygen", "-L", "-f", certFile.toString())).orThrow().stdout();
        assertTrue(listing.contains(userCa.fingerprint()), listing);

        String host = server.token("host", "hsm-host", "hsm-host.example.com");
        Api.Resp h = api.post("/api/v1/certs/host", host,
                Map.of("public_key", Files.readString(TestKeys.publicKeyFile(dir, "h", "ecdsa-256"))));
        assertEquals(201, h.status(), h.toString());
        assertEquals(hostCa, CertificateCodec.decodeLine(h.json().get("certificate").asText()).caKey());
    }
}
