package dev.keyward.web.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.web.testing.Api;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operator's path end to end, over real HTTP and real OpenSSH. sshd trusts the user CA served by
 * {@code GET /api/v1/ca/user}, presents a host certificate from {@code POST /api/v1/certs/host}, and reads its
 * RevokedKeys from {@code GET /api/v1/krl}; the ssh client trusts the host CA from {@code GET /api/v1/ca/host}
 * through a {@code @cert-authority [127.0.0.1]:PORT} line. Every revocation is followed by a conditional KRL
 * fetch and an atomic install, after which sshd must refuse the revoked credential ("revoked by file") and still
 * accept an unrelated one (a broken KRL file would refuse everything, which proves nothing).
 * <p>
 * Subclasses say where the server's CA keys live; the scenario is the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SshdOverHttpScenario {
    static final String USER = Sshd.currentUser();

    /**
     * Engineers get certificates for the local account sshd runs logins as (so the test can log in), each with
     * its own key ID ({@code {{username}}}); hosts get their registered names.
     */
    static final String POLICY = "policy:\n  rules:\n"
            + "    - name: engineers\n      cert_type: user\n      roles: [engineer]\n"
            + "      principals: [" + USER + "]\n      default_ttl: 10m\n      max_ttl: 1h\n"
            + "    - name: hosts\n      cert_type: host\n      roles: [host]\n      default_ttl: 1d\n      max_ttl: 7d\n";

    /** A running server as the scenario sees it: its API, the bootstrap admin token, and how to stop it. */
    record Running(Api api, String adminToken, AutoCloseable stopper) {
    }

    Path dir;
    Running server;
    Api api;
    String admin;
    Sshd sshd;
    KrlFile krl;
    Path knownHosts;
    String userCaFingerprint;
    final Map<String, String> engineers = new HashMap<>();

    /** Starts the server with {@code home} as KEYWARD_HOME and {@code extraYaml} appended to its configuration. */
    abstract Running startServer(Path home, String extraYaml) throws Exception;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("keyward-e2e-");
        server = startServer(dir.resolve("home"), POLICY);
        api = server.api();
        admin = server.adminToken();

        Api.Resp userCa = api.get("/api/v1/ca/user", null);
        assertEquals(200, userCa.status(), userCa.toString());
        Path trusted = Files.writeString(dir.resolve("trusted_user_ca_keys"), userCa.body());
        userCaFingerprint = Cmd.run(List.of("ssh-keygen", "-l", "-f", trusted.toString())).orThrow().stdout()
                .split(" ")[1];
        krl = new KrlFile(api, dir.resolve("revoked_keys"));
        assertTrue(krl.refresh(), "the first KRL fetch returns the KRL");

        Path hostKey = Cmd.sshKeygen(dir, "ssh_host_ed25519_key", "ed25519", 0);
        String hostToken = token("host", "e2e-host", "127.0.0.1", "localhost");
        Api.Resp host = api.post("/api/v1/certs/host", hostToken,
                Map.of("public_key", Files.readString(Path.of(hostKey + ".pub"))));
        assertEquals(201, host.status(), host.toString());
        assertTrue(host.json().get("principals").toString().contains("\"127.0.0.1\""), host.toString());
        Path hostCert = Files.writeString(Path.of(hostKey + "-cert.pub"), host.json().get("certificate").asText() + "\n");

        sshd = Sshd.start(dir.resolve("sshd"), hostKey, List.of("TrustedUserCAKeys " + trusted,
                "RevokedKeys " + krl.path(), "HostCertificate " + hostCert));
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "@cert-authority [127.0.0.1]:" + sshd.port() + " " + hostCaKey() + "\n");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (sshd != null) {
                sshd.close();
            }
        } finally {
            if (server != null) {
                server.stopper().close();
            }
            if (dir != null) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    /** The key of {@code @cert-authority * <type> <base64> [comment]} from GET /api/v1/ca/host. */
    String hostCaKey() {
        Api.Resp r = api.get("/api/v1/ca/host", null);
        assertEquals(200, r.status(), r.toString());
        String line = r.body().lines().filter(l -> l.startsWith("@cert-authority ")).findFirst()
                .orElseThrow(() -> new AssertionError("no @cert-authority line in " + r.body()));
        String[] f = line.split(" ");
        return f[2] + " " + f[3];
    }

    /** Creates a token through the API with the admin token; returns its secret. */
    String token(String role, String username, String... principals) {
        Map<String, Object> body = new HashMap<>(Map.of("name", role + "-" + username, "role", role,
                "username", username, "ttl", "1d"));
        if (principals.length > 0) {
            body.put("principals", List.of(principals));
        }
        Api.Resp r = api.post("/api/v1/tokens", admin, body);
        assertEquals(201, r.status(), "creating a " + role + " token: " + r);
        return r.json().get("token").asText();
    }

    /** An issued user certificate with its key pair on disk. */
    record Issued(long serial, String keyId, Path key, Path cert) {
    }

    /** A fresh ed25519 key certified through POST /api/v1/certs/user with engineer {@code who}'s token. */
    Issued issue(String who) throws IOException {
        return issue(who, Map.of());
    }

    /** As {@link #issue(String)}, with more request fields ({@code ttl}). */
    Issued issue(String who, Map<String, Object> extra) throws IOException {
        String tok = engineers.computeIfAbsent(who, w -> token("engineer", w));
        Path kdir = Files.createTempDirectory(dir, who + "-");
        Path key = Cmd.sshKeygen(kdir, "id_ed25519", "ed25519", 0);
        Map<String, Object> body = new HashMap<>(extra);
        body.put("public_key", Files.readString(Path.of(key + ".pub")));
        Api.Resp r = api.post("/api/v1/certs/user", tok, body);
        assertEquals(201, r.status(), r.toString());
        JsonNode j = r.json();
        assertEquals(List.of(USER), List.of(j.get("principals").get(0).asText()));
        Path cert = Files.writeString(Path.of(key + "-cert.pub"), j.get("certificate").asText() + "\n");
        return new Issued(j.get("serial").asLong(), j.get("key_id").asText(), key, cert);
    }

    /** Logs in with the certificate, checking the host through the host CA; returns sshd's log lines it caused. */
    Login login(Issued c) throws IOException {
        int before = sshd.log().length();
        Cmd.Result r = sshd.login(USER, c.key(), c.cert(), knownHosts);
        String log = sshd.log();
        return new Login(r, log.substring(Math.min(before, log.length())));
    }

    record Login(Cmd.Result result, String sshdLog) {
        boolean ok() {
            return result.exitCode() == 0;
        }

        @Override
        public String toString() {
            return "ssh exit " + result.exitCode() + ", stderr: " + result.stderr() + "\nsshd log:\n" + sshdLog;
        }
    }

    void assertAccepted(Issued c) throws IOException {
        Login l = login(c);
        assertTrue(l.ok(), "login with serial " + c.serial() + " should be accepted: " + l);
        assertTrue(l.sshdLog().contains("Accepted publickey for " + USER + " from 127.0.0.1"), l.toString());
        assertTrue(l.sshdLog().contains("ID " + c.keyId() + " (serial " + c.serial() + ") CA ECDSA "
                + userCaFingerprint), l.toString());
    }

    void assertRevoked(Issued c) throws IOException {
        Login l = login(c);
        assertNotEquals(0, l.result().exitCode(), "login with revoked serial " + c.serial() + " was accepted: " + l);
        assertTrue(l.sshdLog().contains("revoked by file " + krl.path()), l.toString());
    }

    /** Fetches the KRL after a revocation: it must have changed (new ETag) and is installed atomically. */
    void refreshKrlAfterRevocation() throws IOException {
        String before = krl.etag();
        assertTrue(krl.refresh(), "the KRL changed after a revocation, so If-None-Match " + before + " gets 200");
        assertNotEquals(before, krl.etag());
        assertTrue(!krl.refresh(), "fetching again with the new ETag gets 304");
    }

    @Test
    void userCertFromTheApiLogsInAndIsRefusedOnceRevokedBySerial() throws Exception {
        Issued alice = issue("alice");
        Issued control = issue("carol");
        krl.refresh(); // other tests may have revoked something since; start from the current KRL
        assertAccepted(alice);

        Api.Resp revoke = api.post("/api/v1/certs/" + alice.serial() + "/revoke", admin,
                Map.of("reason", "laptop stolen"));
        assertEquals(200, revoke.status(), revoke.toString());
        assertEquals("\"" + revoke.json().get("krl_version").asLong() + "\"", api.get("/api/v1/krl", null).header("ETag"));
        refreshKrlAfterRevocation();

        assertRevoked(alice);
        assertAccepted(control);
    }

    /** The TTL counts from now (only the start is back-dated): a one-minute certificate logs in at once. */
    @Test
    void oneMinuteCertificateIsAcceptedBySshdAtOnce() throws Exception {
        Issued olivia = issue("olivia", Map.of("ttl", "1m"));
        krl.refresh();
        assertAccepted(olivia);
    }

    @Test
    void revokedPublicKeyIsRefusedBySshd() throws Exception {
        Issued bob = issue("bob");
        Issued control = issue("carol");
        krl.refresh();
        assertAccepted(bob);

        Api.Resp r = api.post("/api/v1/revocations", admin, Map.of("public_key",
                Files.readString(Path.of(bob.key() + ".pub")).strip(), "reason", "key leaked"));
        assertEquals(201, r.status(), r.toString());
        refreshKrlAfterRevocation();

        assertRevoked(bob);
        assertAccepted(control);
    }

    @Test
    void revokedKeyIdIsRefusedBySshd() throws Exception {
        Issued mallory = issue("mallory");
        Issued control = issue("carol");
        krl.refresh();
        assertEquals("mallory", mallory.keyId());
        assertAccepted(mallory);

        Api.Resp r = api.post("/api/v1/revocations", admin, Map.of("key_id", "mallory", "reason", "left the company"));
        assertEquals(201, r.status(), r.toString());
        refreshKrlAfterRevocation();

        assertRevoked(mallory);
        assertAccepted(control);
    }

    @Test
    void hostCertFromTheApiIsTrustedThroughTheHostCaAndNothingElse() throws Exception {
        Issued dave = issue("dave");
        krl.refresh();
        // known_hosts holds only the @cert-authority line: the login succeeds only if sshd's host certificate
        // verifies against the host CA and names 127.0.0.1
        assertAccepted(dave);

        // control: trusting a different CA (the user CA) for this host makes the same login fail host checking
        Path wrong = dir.resolve("known_hosts_wrong_ca");
        String userCaKey = api.get("/api/v1/ca/user", null).body().lines().findFirst().orElseThrow();
        String[] f = userCaKey.split(" ");
        Files.writeString(wrong, "@cert-authority [127.0.0.1]:" + sshd.port() + " " + f[0] + " " + f[1] + "\n");
        Cmd.Result r = sshd.login(USER, dave.key(), dave.cert(), wrong);
        assertNotEquals(0, r.exitCode(), "a host certificate from another CA must not be trusted");
        assertTrue(r.stderr().contains("Host key verification failed"), r.stderr());
    }
}
