package dev.keyward.web.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host credential's whole life with the real agent (its CLI, in-process, under {@code --root}), the real
 * server on PostgreSQL and a real sshd: with {@code tokens.max_ttl: 4m} an enrolled agent keeps working for six
 * minutes of cycles, well past its first credential's expiry, because it renews the credential with its host key
 * at two thirds of each lifetime. After that expiry a revocation still reaches sshd's KRL, a new static key still
 * reaches the keyward file, host certificates (5 min) are still renewed and sshd reloaded, and at the end an ssh
 * client that trusts only the host CA logs in. The first credential is refused by then.
 *
 * <p>This test takes about six and a half minutes (cycles every 10 s), by design: it is the one test that lets a
 * credential expire for real. It mostly waits between cycles, so it runs beside the other test classes
 * ({@code junit-platform.properties}) rather than adding its minutes to the suite.
 */
@org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT)
class AgentCredentialLifetimeTest {
    static final String USER = Sshd.currentUser();
    static final Duration CYCLE = Duration.ofSeconds(10);
    static final Duration RUN_FOR = Duration.ofMinutes(6).plusSeconds(10);

    @TempDir
    Path tmp;
    Path root;
    Api api;
    TestServer server;
    String admin;
    Instant adminSince;

    /** Runs the agent under the root; a failed run comes back with what failed (status.json's last_errors). */
    String agent(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--root", root.toString()));
        if (KeywardAgentCli.execute(a.toArray(String[]::new)) == 0) {
            return "ok";
        }
        Path status = root.resolve("var/lib/keyward-agent/status.json");
        return "failed: " + (Files.exists(status) ? Api.JSON.readTree(status.toFile()).get("last_errors") : "");
    }

    /** An admin token; admin tokens live 4 minutes here too, so a fresh one is made from the current one in time. */
    String admin() {
        if (Duration.between(adminSince, Instant.now()).compareTo(Duration.ofMinutes(2)) > 0) {
            Api.Resp r = api.post("/api/v1/tokens", admin, Map.of("name", "admin-" + System.nanoTime(), "role",
                    "admin", "ttl", "4m"));
            assertEquals(201, r.status(), r.toString());
            admin = r.json().get("token").asText();
            adminSince = Instant.now();
        }
        return admin;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void anEnrolledAgentKeepsWorkingPastItsFirstCredentialsExpiry() throws Exception {
        root = tmp.resolve("root");
        Path hostKey = AgentAgainstServerTest.hostTree(root);
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        Path staticKey = Cmd.sshKeygen(keys, "static", "ed25519", 0);
        Path laterKey = Cmd.sshKeygen(keys, "later", "ed25519", 0);

        String yaml = "tokens:\n  max_ttl: 4m\n  bootstrap_ttl: 4m\n"
                + "policy:\n  rules:\n    - name: hosts\n      roles: [host]\n      cert_type: host\n"
                + "      default_ttl: 5m\n      max_ttl: 5m\n";
        try (TestServer s = TestServer.start(tmp.resolve("home"), TestDatabases.create(), yaml)) {
            server = s;
            api = s.api();
            admin = s.adminToken();
            adminSince = Instant.now();
            String url = "http://127.0.0.1:" + s.port();

            Api.Resp host = api.post("/api/v1/hosts", admin(), Map.of("hostname", "life.example.com",
                    "principals", List.of("127.0.0.1", "localhost", "life.example.com")));
            assertEquals(201, host.status(), host.toString());
            long hostId = host.json().get("id").asLong();
            Path joinToken = Files.writeString(tmp.resolve("join-token"), host.json().get("join_token").asText());
            assertEquals("ok", agent("enroll", "--server", url, "--join-token-file", joinToken.toString()));
            Path credentialFile = root.resolve("var/lib/keyward-agent/credential");
            String first = Files.readString(credentialFile).strip();
            Instant firstExpiry = Instant.parse(hostView(hostId).get("credential_expires_at").asText());
            assertTrue(firstExpiry.isBefore(Instant.now().plus(Duration.ofMinutes(4))), "tokens.max_ttl is 4m");
            Instant enrolledAt = Instant.now();

            Api.Resp added = api.post("/api/v1/authorized-keys", admin(), Map.of("account", USER,
                    "host", "life.example.com", "public_key", Files.readString(Path.of(staticKey + ".pub"))));
            assertEquals(201, added.status(), added.toString());
            Path hostCert = root.resolve("etc/ssh/ssh_host_ed25519_key-cert.pub");
            Path keywardFile = root.resolve("etc/ssh/keyward/authorized_keys/" + USER);
            Path revokedKeys = root.resolve("etc/ssh/keyward/revoked_keys");
            Path trusted = root.resolve("etc/ssh/keyward/trusted_user_ca_keys");
            Path sshdDir = root.resolve("sshd");
            Files.createDirectories(keywardFile.getParent());
            assertEquals("ok", agent("once", "--server", url, "--log-file", "/sshd/sshd.log"));

            try (Sshd sshd = Sshd.start(sshdDir, hostKey, List.of(
                    "AuthorizedKeysFile " + keywardFile.getParent() + "/%u",
                    "TrustedUserCAKeys " + trusted,
                    "RevokedKeys " + revokedKeys,
                    "HostCertificate " + hostCert))) {
                String pid = Files.readString(sshdDir.resolve("sshd.pid")).strip();
                String[] once = {"once", "--server", url, "--log-file", "/sshd/sshd.log", "--set",
                        "sshd_config=/sshd/sshd_config", "--set", "reload_command=kill -HUP " + pid};

                Set<String> credentials = new LinkedHashSet<>(List.of(first));
                List<Instant> certRenewals = new ArrayList<>();
                long serial = serial(hostCert);
                boolean checkedAfterExpiry = false;
                int cycles = 0;
                while (Instant.now().isBefore(enrolledAt.plus(RUN_FOR)) && cycles < 60) {
                    admin(); // keeps an admin token alive for the checks below
                    String r = agent(once);
                    cycles++;
                    assertEquals("ok", r, "cycle " + cycles + " at " + Instant.now() + " (the first credential"
                            + " expires at " + firstExpiry + ")");
                    credentials.add(Files.readString(credentialFile).strip());
                    if (serial(hostCert) != serial) {
                        serial = serial(hostCert);
                        certRenewals.add(Instant.now());
                    }
                    if (!checkedAfterExpiry && Instant.now().isAfter(firstExpiry.plusSeconds(5))) {
                        checkedAfterExpiry = true;
                        // a revocation and a new static key after the first credential expired still arrive
                        Api.Resp revoked = api.post("/api/v1/revocations", admin(), Map.of("key_id",
                                "after-expiry", "reason", "test"));
                        assertEquals(201, revoked.status(), revoked.toString());
                        long krlVersion = revoked.json().get("krl_version").asLong();
                        String laterLine = Files.readString(Path.of(laterKey + ".pub"));
                        Api.Resp later = api.post("/api/v1/authorized-keys", admin(), Map.of("account", USER,
                                "host", "life.example.com", "public_key", laterLine));
                        assertEquals(201, later.status(), later.toString());
                        assertEquals("ok", agent(once));
                        String krl = Cmd.run(List.of("ssh-keygen", "-Q", "-l", "-f", revokedKeys.toString()))
                                .orThrow().stdout();
                        assertTrue(krl.contains("KRL version " + krlVersion) && krl.contains("after-expiry"), krl);
                        assertTrue(Files.readString(keywardFile).contains(Files.readString(Path.of(laterKey + ".pub"))
                                .split(" ")[1]), Files.readString(keywardFile));
                    }
                    Thread.sleep(CYCLE.toMillis());
                }
                assertTrue(checkedAfterExpiry, "ran past the first credential's expiry");
                assertTrue(credentials.size() >= 3, "renewed at least twice in six minutes: " + credentials.size());
                assertTrue(certRenewals.stream().anyMatch(t -> t.isAfter(firstExpiry)),
                        "a host certificate renewed after the first credential expired: " + certRenewals);

                // the client trusts only the host CA: the host certificate sshd serves now was renewed and loaded
                Path knownHosts = tmp.resolve("known_hosts");
                StringBuilder kh = new StringBuilder();
                for (String line : api.get("/api/v1/ca/host", null).body().split("\n")) {
                    kh.append(line.replace("@cert-authority * ", "@cert-authority [127.0.0.1]:" + sshd.port() + " "))
                            .append('\n');
                }
                Files.writeString(knownHosts, kh.toString());
                Cmd.Result login = null;
                for (int i = 0; i < 50; i++) { // sshd re-executes on SIGHUP: let it listen again
                    login = sshd.login(USER, laterKey, null, knownHosts);
                    if (login.exitCode() == 0) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertEquals(0, login.exitCode(), login.stderr() + sshd.log());
            }

            // the first credential is long gone; the current one is known to the server and to the agent
            Api.Resp old = api.get("/api/v1/agent/state", first);
            assertEquals(401, old.status(), old.toString());
            String current = Files.readString(credentialFile).strip();
            assertNotEquals(first, current);
            assertEquals(200, api.get("/api/v1/agent/state", current).status());
            JsonNode view = hostView(hostId);
            assertEquals("active", view.get("credential_status").asText());
            JsonNode known = Api.JSON.readTree(root.resolve("var/lib/keyward-agent/credential.json").toFile());
            assertEquals(view.get("credential_expires_at").asText(), known.get("expires_at").asText());
            JsonNode audit = api.get("/api/v1/audit?action=host.credential_renew&subject=host:" + hostId, admin())
                    .json().get("items");
            assertTrue(audit.size() >= 2, audit.toString());
        }
    }

    JsonNode hostView(long id) {
        for (JsonNode h : api.get("/api/v1/hosts", admin()).json().get("items")) {
            if (h.get("id").asLong() == id) {
                return h;
            }
        }
        throw new AssertionError("no host " + id);
    }

    static long serial(Path cert) throws Exception {
        return CertificateCodec.decodeLine(Files.readString(cert).strip()).certificate().serial();
    }
}
