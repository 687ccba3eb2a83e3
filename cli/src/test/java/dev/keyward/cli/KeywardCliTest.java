package dev.keyward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.cli.config.CliEnv;
import dev.keyward.cli.testing.FakeServer.Answer;
import dev.keyward.cli.testing.FakeServer;
import dev.keyward.cli.testing.TestCa;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process against a fake server: what it writes, prints and refuses. No ssh-agent here. */
class KeywardCliTest {
    @TempDir
    Path tmp;
    Path home;
    Path key;
    SshPublicKey pub;
    TestCa ca;
    Path tokenFile;

    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        key = Cmd.sshKeygen(Files.createDirectories(home.resolve(".ssh")), "id_ed25519", "ed25519", 0);
        pub = TestKeys.read(Path.of(key + ".pub"));
        ca = new TestCa(tmp, "user_ca");
        tokenFile = tmp.resolve("token");
        Files.writeString(tokenFile, "kwt_test_secret\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    }

    Run keyward(Map<String, String> extraEnv, String... args) {
        Map<String, String> vars = new HashMap<>(Map.of("HOME", home.toString()));
        vars.putAll(extraEnv);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KeywardCli.run(args, new PrintWriter(out), new PrintWriter(err),
                new CliEnv(vars, false, Clock.systemUTC()));
        return new Run(code, out.toString(), err.toString());
    }

    Run keyward(String... args) {
        return keyward(Map.of(), args);
    }

    FakeServer issuing(java.util.function.Function<String, Answer> issue) throws IOException {
        return new FakeServer(ca.publicKey().toOpenSsh() + "\n", issue);
    }

    static Answer created(String certLine) {
        return new Answer(201, "application/json", new String(Json.write(Map.of("serial", 42, "certificate", certLine)),
                StandardCharsets.UTF_8));
    }

    Path cert() {
        return Path.of(key + "-cert.pub");
    }

    @Test
    void loginWritesTheCheckedCertificatePinsTheCaAndStatusShowsIt() throws IOException {
        try (FakeServer server = issuing(body -> created(ca.userCert(pub, 3600).toOpenSsh()))) {
            Run r = keyward("login", "--server", server.url(), "--token-file", tokenFile.toString(), "--ttl", "1h",
                    "--principals", "alice,deploy", "--no-agent");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("serial:      42"), r.out());
            assertTrue(r.out().contains("principals:  alice"), r.out());
            assertTrue(r.out().contains("Pinned the user CA keys"), r.out());
            assertFalse(r.out().contains("kwt_test_secret") || r.err().contains("kwt_test_secret"));
            assertEquals(pub, CertificateCodec.decodeLine(Files.readString(cert())).certificate().key());
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(cert())));
            String request = server.requests.get(0);
            assertTrue(request.startsWith("Bearer kwt_test_secret {"), request);
            Map<String, Object> body = Json.parseObject(request.substring(request.indexOf('{'))
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(pub.toOpenSshWithoutComment(), body.get("public_key"));
            assertEquals("1h", body.get("ttl"));
            assertEquals(java.util.List.of("alice", "deploy"), body.get("principals"));
            assertTrue(Files.readString(home.resolve(".config/keyward/user_ca_pins"))
                    .contains("http://localhost:" + server.port() + " " + ca.publicKey().toOpenSshWithoutComment()));

            Run status = keyward("status");
            assertEquals(0, status.code(), status.out() + status.err());
            assertTrue(status.out().contains("valid, "), status.out());
            assertTrue(status.out().contains("CA:          ED25519 " + ca.publicKey().fingerprint()), status.out());
            assertTrue(status.out().contains("ssh-agent:   not running"), status.out());

            Run logout = keyward("logout");
            assertEquals(0, logout.code(), logout.err());
            assertFalse(Files.exists(cert()));
            assertEquals(1, keyward("status").code(), "no certificate: exit 1");
        }
    }

    @Test
    void aCertificateForAnotherKeyIsRefusedAndNothingIsWritten() throws IOException {
        SshPublicKey other = new TestCa(tmp, "other").publicKey();
        try (FakeServer server = issuing(body -> created(ca.userCert(other, 3600).toOpenSsh()))) {
            Run r = keyward(Map.of("KEYWARD_TOKEN", "kwt_env"), "login", "--server", server.url(), "--no-agent");
            assertEquals(1, r.code());
            assertTrue(r.err().startsWith("keyward: the server returned a certificate for another key"), r.err());
            assertFalse(Files.exists(cert()));
            assertFalse(Files.exists(home.resolve(".config/keyward/user_ca_pins")), "nothing pinned either");
        }
    }

    @Test
    void aCertificateFromAnUnpinnedCaIsRefusedUntilAcceptNewCa() throws IOException {
        TestCa rotated = new TestCa(tmp, "rotated");
        int port = pinnedThenStopped();
        String url = "http://127.0.0.1:" + port;
        // the same server URL now publishes both keys and signs with the new one
        try (FakeServer second = FakeServer.onPort(port, ca.publicKey().toOpenSsh() + "\n"
                + rotated.publicKey().toOpenSsh() + "\n", body -> created(rotated.userCert(pub, 3600).toOpenSsh()))) {
            Run r = keyward("login", "--server", url, "--token-file", tokenFile.toString(), "--no-agent");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("not among the user CA keys pinned"), r.err());
            Run accepted = keyward("login", "--server", url, "--token-file", tokenFile.toString(), "--no-agent",
                    "--accept-new-ca");
            assertEquals(0, accepted.code(), accepted.err());
            assertEquals(rotated.publicKey(), CertificateCodec.decodeLine(Files.readString(cert())).caKey());
        }
    }

    /** Logs in once against a server publishing {@code ca}, which pins it, and stops that server: its port. */
    int pinnedThenStopped() throws IOException {
        try (FakeServer first = issuing(body -> created(ca.userCert(pub, 3600).toOpenSsh()))) {
            Run r = keyward("login", "--server", first.url(), "--token-file", tokenFile.toString(), "--no-agent");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("Pinned the user CA keys"), r.out());
            return first.port();
        }
    }

    @Test
    void aServerPublishingOnlyAnUnpinnedCaNeverSeesTheToken() throws IOException {
        TestCa impostor = new TestCa(tmp, "impostor");
        int port = pinnedThenStopped();
        String url = "http://127.0.0.1:" + port;
        String written = Files.readString(cert());
        try (FakeServer liar = FakeServer.onPort(port, impostor.publicKey().toOpenSsh() + "\n",
                body -> created(impostor.userCert(pub, 3600).toOpenSsh()))) {
            Run r = keyward("login", "--server", url, "--token-file", tokenFile.toString(), "--no-agent");
            assertOneLine(r, 1, "publishes no user CA key pinned for http://localhost:" + port
                    + " (it publishes " + impostor.publicKey().fingerprint() + ";");
            assertTrue(r.err().contains("pinned: " + ca.publicKey().fingerprint()), r.err());
            assertTrue(r.err().contains("the token was not sent"), r.err());
            assertTrue(r.err().contains("--accept-new-ca"), r.err());
            assertEquals(java.util.List.of(), liar.authorizations, "the token reached an unpinned server");
            assertEquals(written, Files.readString(cert()), "the certificate file is untouched");
            Run accepted = keyward("login", "--server", url, "--token-file", tokenFile.toString(), "--no-agent",
                    "--accept-new-ca");
            assertEquals(0, accepted.code(), accepted.err());
            assertEquals(impostor.publicKey(), CertificateCodec.decodeLine(Files.readString(cert())).caKey());
        }
    }

    @Test
    void loopbackSpellingsOfOneServerSharePins() throws IOException {
        TestCa rotated = new TestCa(tmp, "rotated");
        try (FakeServer first = issuing(body -> created(ca.userCert(pub, 3600).toOpenSsh()))) {
            Run pinned = keyward("login", "--server", first.url(), "--token-file", tokenFile.toString(), "--no-agent");
            assertEquals(0, pinned.code(), pinned.err());
            assertTrue(pinned.out().contains("Pinned the user CA keys"), pinned.out());
            Run again = keyward("login", "--server", "http://localhost:" + first.port() + "/", "--token-file",
                    tokenFile.toString(), "--no-agent");
            assertEquals(0, again.code(), again.err());
            assertFalse(again.out().contains("Pinned"), "localhost is the server pinned as 127.0.0.1: " + again.out());
            assertEquals(1, Files.readString(pins()).lines().filter(l -> !l.startsWith("#")).count());
            first.close();
            try (FakeServer rotatedServer = FakeServer.onPort(first.port(), rotated.publicKey().toOpenSsh() + "\n",
                    body -> created(rotated.userCert(pub, 3600).toOpenSsh()))) {
                Run r = keyward("login", "--server", "HTTP://LocalHost:" + first.port(), "--token-file",
                        tokenFile.toString(), "--no-agent");
                assertOneLine(r, 1, "publishes no user CA key pinned for http://localhost:" + first.port());
                assertEquals(java.util.List.of(), rotatedServer.authorizations);
            }
        }
    }

    @Test
    void pinsWrittenAsUrlStringsByOlderVersionsStillHold() throws IOException {
        TestCa older = new TestCa(tmp, "older");
        try (FakeServer server = issuing(body -> created(ca.userCert(pub, 3600).toOpenSsh()))) {
            // the old format: the server URL exactly as given, here with the key the user trusted back then
            Files.createDirectories(pins().getParent());
            Files.writeString(pins(), "# user CA keys pinned by keyward login (trust on first use)\n"
                    + server.url() + " " + older.publicKey().toOpenSshWithoutComment() + "\n");
            Run r = keyward("login", "--server", "http://localhost:" + server.port(), "--token-file",
                    tokenFile.toString(), "--no-agent");
            assertOneLine(r, 1, "pinned: " + older.publicKey().fingerprint());
            assertEquals(java.util.List.of(), server.authorizations);

            Files.writeString(pins(), server.url() + " " + ca.publicKey().toOpenSshWithoutComment() + "\n");
            Run ok = keyward("login", "--server", "http://localhost:" + server.port(), "--token-file",
                    tokenFile.toString(), "--no-agent");
            assertEquals(0, ok.code(), ok.err());
            assertFalse(ok.out().contains("Pinned"), "no re-pinning: " + ok.out());

            Run accepted = keyward("login", "--server", server.url(), "--token-file", tokenFile.toString(),
                    "--no-agent", "--accept-new-ca");
            assertEquals(0, accepted.code(), accepted.err());
            assertEquals(java.util.List.of("http://localhost:" + server.port() + " "
                    + ca.publicKey().toOpenSshWithoutComment()), Files.readString(pins()).lines()
                    .filter(l -> !l.startsWith("#")).toList(), "rewritten with the normalised key");
        }
    }

    @Test
    void principalsAreSplitOnCommasOnlyQuotesIncluded() throws Exception {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        try (FakeServer server = issuing(body -> created(ca.userCert(pub, 3600).toOpenSsh()))) {
            System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
            Run r = keyward("login", "--server", server.url(), "--token-file", tokenFile.toString(), "--no-agent",
                    "--principals", "a\"b,c\"d");
            Run single = keyward("login", "--server", server.url(), "--token-file", tokenFile.toString(), "--no-agent",
                    "--principals", "a\"b");
            System.setErr(stderr);
            assertEquals(0, r.code(), r.err());
            assertEquals(0, single.code(), single.err());
            assertEquals("", r.err() + single.err() + captured.toString(StandardCharsets.UTF_8), "no warning");
            assertEquals(java.util.List.of("a\"b", "c\"d"), principalsSent(server.requests.get(0)));
            assertEquals(java.util.List.of("a\"b"), principalsSent(server.requests.get(1)));
        } finally {
            System.setErr(stderr);
        }
    }

    private static Object principalsSent(String request) throws dev.keyward.ca.json.JsonException {
        return Json.parseObject(request.substring(request.indexOf('{')).getBytes(StandardCharsets.UTF_8))
                .get("principals");
    }

    Path pins() {
        return home.resolve(".config/keyward/user_ca_pins");
    }

    @Test
    void serverRefusalsBecomeOneClearLine() throws IOException {
        String policy = "{\"type\":\"https://keyward.dev/problems/policy\",\"title\":\"Forbidden by policy\","
                + "\"status\":403,\"detail\":\"ttl 24h is above the maximum 8h\",\"rule\":\"rules.engineers.max_ttl\"}";
        try (FakeServer server = issuing(body -> new Answer(403, "application/problem+json", policy))) {
            Run r = keyward("login", "--server", server.url(), "--token-file", tokenFile.toString(), "--ttl", "24h");
            assertEquals(1, r.code());
            assertEquals("keyward: refused by the server's issuance policy, rule rules.engineers.max_ttl: ttl 24h is"
                    + " above the maximum 8h\n", r.err());
            assertFalse(Files.exists(cert()));
        }
    }

    @Test
    void badInputsExitNonZeroWithOneLine() throws IOException {
        assertOneLine(keyward("login", "--token-file", tokenFile.toString()), 1, "no server: pass --server");
        assertOneLine(keyward("login", "--server", "http://ca.example.com", "--token-file", tokenFile.toString()), 1,
                "plain http to a remote host");
        assertOneLine(keyward("login", "--server", "https://ca.example.com", "--ttl", "8 hours"), 1,
                "--ttl '8 hours' is not a duration");
        assertOneLine(keyward("login", "--server", "https://ca.example.com", "--principals", "a,,b"), 1,
                "--principals has an empty name");
        try (FakeServer server = issuing(body -> created(ca.userCert(pub, 3600).toOpenSsh()))) {
            // no token and a server that offers no SSO sign-in (no GET /api/v1/login/config)
            assertOneLine(keyward("login", "--server", server.url()), 1, "no token: pass --token-file");
            assertOneLine(keyward("login", "--server", server.url(), "--renew"), 1, "nothing to renew with: no API"
                    + " token");
            assertTrue(server.requests.isEmpty(), "nothing was asked for");
        }
        assertOneLine(keyward("login", "--server", "https://ca.example.com", "--renew", "--device"), 2,
                "--renew never signs in interactively; leave out --device");
        assertOneLine(keyward("login", "--bogus"), 2, "Unknown option: '--bogus'");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-r--r--"));
        assertOneLine(keyward("login", "--server", "https://ca.example.com", "--token-file", tokenFile.toString()), 1,
                "is readable by other users; chmod 600");
        Run noCert = keyward("status", "--key", tmp.resolve("nokey").toString());
        assertEquals(1, noCert.code());
        assertTrue(noCert.out().startsWith("No certificate: " + tmp.resolve("nokey-cert.pub")), noCert.out());
        Files.createDirectories(home.resolve(".config/keyward"));
        Files.writeString(home.resolve(".config/keyward/config"), "servr = https://x\n");
        assertOneLine(keyward("status"), 1, "unknown key 'servr'");
    }

    @Test
    void theServerDownIsAClearMessageAndWritesNothing() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run r = keyward("login", "--server", "http://127.0.0.1:" + port, "--token-file", tokenFile.toString());
        assertOneLine(r, 1, "cannot reach the Keyward server at http://127.0.0.1:" + port + ": connection refused");
        assertFalse(Files.exists(cert()));
    }

    @Test
    void configSuppliesServerKeyAndTokenFile() throws IOException {
        Path work = Cmd.sshKeygen(home.resolve(".ssh"), "work", "ecdsa", 256);
        SshPublicKey workPub = TestKeys.read(Path.of(work + ".pub"));
        try (FakeServer server = issuing(body -> created(ca.userCert(workPub, 3600).toOpenSsh()))) {
            Files.createDirectories(home.resolve(".config/keyward"));
            Files.writeString(home.resolve(".config/keyward/config"), "server = " + server.url()
                    + "\nkey = ~/.ssh/work\ntoken_file = " + tokenFile + "\n");
            Run r = keyward("login", "--no-agent");
            assertEquals(0, r.code(), r.err());
            assertTrue(Files.exists(Path.of(work + "-cert.pub")));
            assertFalse(Files.exists(cert()));
        }
    }

    private static void assertOneLine(Run r, int code, String contains) {
        assertEquals(code, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("keyward: "), r.err());
        if (code == 1) {
            assertEquals(1, r.err().lines().count(), r.err());
        }
        if (contains != null) {
            assertTrue(r.err().contains(contains), r.err());
        }
    }
}
