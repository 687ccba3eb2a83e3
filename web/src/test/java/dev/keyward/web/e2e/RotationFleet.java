package dev.keyward.web.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.pkcs11.Pkcs11Uri;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.SoftHsm;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.ca.testing.TokenObjects;
import dev.keyward.web.testing.AgentRoots;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One managed host for the CA key lifecycle tests: a server whose user and host CA keys are in a fresh SoftHSM2
 * token (named by {@code pkcs11:} URIs, as in production), the real agent (its CLI, in-process, with {@code --root}
 * in a temp tree) enrolled for {@code rot.example.com}, and a real sshd reading the trusted user CA keys, the KRL
 * and the host certificate the agent installed. The ssh client trusts host CA keys only through
 * {@code @cert-authority} lines taken from {@code GET /api/v1/ca/host}.
 */
final class RotationFleet implements AutoCloseable {
    static final String USER = Sshd.currentUser();
    static final String HOSTNAME = "rot.example.com";

    final Path dir;
    final SoftHsm.Token token;
    final TestServer server;
    final Api api;
    final String admin;
    final Path root;
    final Path sshdDir;
    final Sshd sshd;
    final Path trusted;
    final Path revoked;
    final Path hostCert;
    final Path knownHosts;
    private final String url;
    private String engineer;

    private RotationFleet(Path dir, SoftHsm.Token token, TestServer server, Path root, Sshd sshd) {
        this.dir = dir;
        this.token = token;
        this.server = server;
        this.api = server.api();
        this.admin = server.adminToken();
        this.url = "http://127.0.0.1:" + server.port();
        this.root = root;
        this.sshdDir = root.resolve("sshd");
        this.sshd = sshd;
        this.trusted = root.resolve("etc/ssh/keyward/trusted_user_ca_keys");
        this.revoked = root.resolve("etc/ssh/keyward/revoked_keys");
        this.hostCert = root.resolve("etc/ssh/ssh_host_ed25519_key-cert.pub");
        this.knownHosts = dir.resolve("known_hosts");
    }

    /** Starts everything; {@code policy} is the server's {@code policy:} section. */
    static RotationFleet start(Path dir, String policy) throws Exception {
        SoftHsm.Token token = SoftHsm.newToken();
        String userKey = token.uri("user-ca").toString();
        String hostKey = token.uri("host-ca").toString();
        for (String uri : new String[] {userKey, hostKey}) {
            try (CaSigner created = Signers.create(uri, CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()))) {
                // created in the token; the server opens it by its URI
            }
        }
        TestServer server = TestServer.start(dir.resolve("home"), TestDatabases.create(),
                "ca:\n  user_key: \"" + userKey + "\"\n  host_key: \"" + hostKey + "\"\n" + policy);
        Sshd sshd = null;
        try {
            Path root = AgentRoots.withUser(dir.resolve("root"), USER);
            Api.Resp host = server.api().post("/api/v1/hosts", server.adminToken(), Map.of("hostname", HOSTNAME,
                    "principals", List.of("127.0.0.1", "localhost", HOSTNAME)));
            assertEquals(201, host.status(), host.toString());
            Path join = Files.writeString(dir.resolve("join-token"), host.json().get("join_token").asText());
            String url = "http://127.0.0.1:" + server.port();
            assertEquals(0, agent(root, "enroll", "--server", url, "--join-token-file", join.toString()));
            // sshd first (its trust files come with the first cycle): a cycle that renews the host certificate
            // reloads it
            Path keyward = root.resolve("etc/ssh/keyward");
            sshd = Sshd.start(root.resolve("sshd"), root.resolve("etc/ssh/ssh_host_ed25519_key"), List.of(
                    "AuthorizedKeysFile " + keyward.resolve("authorized_keys") + "/%u",
                    "TrustedUserCAKeys " + keyward.resolve("trusted_user_ca_keys"),
                    "RevokedKeys " + keyward.resolve("revoked_keys"),
                    "HostCertificate " + root.resolve("etc/ssh/ssh_host_ed25519_key-cert.pub")));
            RotationFleet f = new RotationFleet(dir, token, server, root, sshd);
            f.agentCycle();
            f.writeKnownHosts();
            return f;
        } catch (Exception | Error e) {
            if (sshd != null) {
                sshd.close();
            }
            server.close();
            throw e;
        }
    }

    static int agent(Path root, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--root", root.toString()));
        return KeywardAgentCli.execute(a.toArray(String[]::new));
    }

    /** One agent cycle; a renewed host certificate makes it reload sshd (SIGHUP). */
    void agentCycle() throws IOException {
        String pid = Files.readString(sshdDir.resolve("sshd.pid")).strip();
        assertEquals(0, agent(root, "once", "--server", url, "--log-file", "/sshd/sshd.log",
                "--set", "sshd_config=/sshd/sshd_config", "--set", "reload_command=kill -HUP " + pid));
    }

    /** known_hosts: every {@code @cert-authority} line of GET /api/v1/ca/host, for this sshd's address. */
    String writeKnownHosts() throws IOException {
        Api.Resp r = api.get("/api/v1/ca/host", null);
        assertEquals(200, r.status(), r.toString());
        String kh = r.body().replace("@cert-authority * ", "@cert-authority [127.0.0.1]:" + sshd.port() + " ");
        Files.writeString(knownHosts, kh);
        return kh;
    }

    /** An issued user certificate with its key pair on disk, and the fingerprint of the CA key that signed it. */
    record Issued(long serial, Path key, Path cert, String caFingerprint) {
    }

    Issued issue(String name, String ttl) throws IOException {
        if (engineer == null) {
            engineer = server.token("engineer", USER);
        }
        Path kdir = Files.createTempDirectory(dir, name + "-");
        Path key = Cmd.sshKeygen(kdir, "id_ed25519", "ed25519", 0);
        Api.Resp r = api.post("/api/v1/certs/user", engineer,
                Map.of("public_key", Files.readString(Path.of(key + ".pub")), "ttl", ttl));
        assertEquals(201, r.status(), r.toString());
        String line = r.json().get("certificate").asText();
        Path cert = Files.writeString(Path.of(key + "-cert.pub"), line + "\n");
        return new Issued(r.json().get("serial").asLong(), key, cert,
                CertificateCodec.decodeLine(line).caKey().fingerprint());
    }

    /** Logs in with the certificate (the host checked through known_hosts); a few tries while sshd re-executes. */
    Cmd.Result login(Issued c) throws InterruptedException {
        Cmd.Result r = null;
        for (int i = 0; i < 20; i++) {
            r = sshd.login(USER, c.key(), c.cert(), knownHosts);
            if (r.exitCode() == 0 || !r.stderr().contains("Connection refused")) {
                return r;
            }
            Thread.sleep(100);
        }
        return r;
    }

    String sshdLog() throws IOException {
        return sshd.log();
    }

    JsonNode caKeys() {
        Api.Resp r = api.get("/api/v1/ca/keys", admin);
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    /** The key of this purpose and state in GET /api/v1/ca/keys. */
    JsonNode key(String purpose, String state) {
        for (JsonNode k : caKeys().get("keys")) {
            if (k.get("purpose").asText().equals(purpose) && k.get("state").asText().equals(state)) {
                return k;
            }
        }
        throw new AssertionError("no " + state + " " + purpose + " CA key in " + caKeys());
    }

    JsonNode key(long id) {
        for (JsonNode k : caKeys().get("keys")) {
            if (k.get("id").asLong() == id) {
                return k;
            }
        }
        throw new AssertionError("no CA key " + id + " in " + caKeys());
    }

    /** Whether another process (pkcs11-tool) sees a private key object for this CA key on the token. */
    boolean onToken(JsonNode key) {
        String object = Pkcs11Uri.parse(key.get("key_uri").asText()).object();
        String id = HexFormat.of().formatHex(object.getBytes(StandardCharsets.UTF_8));
        return TokenObjects.privateKeys(token).stream().anyMatch(k -> k.id().equals(id));
    }

    /** Lines of a trust file or response body. */
    static List<String> lines(String s) {
        return s.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Waits (bounded) until {@code done}; false if it did not happen within {@code seconds}. */
    static boolean await(int seconds, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            Thread.sleep(500);
        }
        return done.getAsBoolean();
    }

    @Override
    public void close() {
        try {
            sshd.close();
        } finally {
            server.close();
        }
    }
}
