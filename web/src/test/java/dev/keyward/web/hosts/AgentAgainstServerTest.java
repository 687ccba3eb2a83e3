package dev.keyward.web.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.web.testing.AgentRoots;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent (its CLI, in-process, with {@code --root} in a temp tree) against the real server, and a real
 * sshd reading the files the agent installed: enrollment gives host certificates that an ssh client with only
 * the host CA trusts; a static key added through the API is written by {@code once} and accepted by sshd, and
 * refused once deleted; a revoked certificate is refused through the KRL the agent installed; the logins sshd
 * logged come back as last use in {@code GET /api/v1/keys}; a revoked host certificate makes the state say
 * {@code renew_now}, and the agent renews it, reloads sshd, and the client still trusts the host.
 */
class AgentAgainstServerTest {
    static final String USER = Sshd.currentUser();

    @TempDir
    Path tmp;

    int agent(Path root, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--root", root.toString()));
        return KeywardAgentCli.execute(a.toArray(String[]::new));
    }

    /** A {@code --root} tree with {@link #USER} (home 0755) in etc/passwd and an ed25519 host key, returned. */
    static Path hostTree(Path root) throws java.io.IOException {
        return AgentRoots.withUser(root, USER).resolve("etc/ssh/ssh_host_ed25519_key");
    }

    @Test
    void agentEnrollsSyncsKeysInstallsTheKrlAndReportsUsage() throws Exception {
        Path root = tmp.resolve("root");
        Path hostKey = hostTree(root);
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        Path staticKey = Cmd.sshKeygen(keys, "static", "ed25519", 0);
        Path engineerKey = Cmd.sshKeygen(keys, "engineer", "ed25519", 0);

        try (TestServer server = TestServer.start(tmp.resolve("home"), TestDatabases.create())) {
            Api api = server.api();
            String admin = server.adminToken();
            String url = "http://127.0.0.1:" + server.port();

            // register and enroll: host certificates for the host's names, signed by the host CA
            Api.Resp host = api.post("/api/v1/hosts", admin, Map.of("hostname", "e2e.example.com",
                    "principals", List.of("127.0.0.1", "localhost", "e2e.example.com")));
            assertEquals(201, host.status(), host.toString());
            Path joinToken = Files.writeString(tmp.resolve("join-token"), host.json().get("join_token").asText());
            assertEquals(0, agent(root, "enroll", "--server", url, "--join-token-file", joinToken.toString()));
            Path hostCert = root.resolve("etc/ssh/ssh_host_ed25519_key-cert.pub");
            assertTrue(Files.readString(hostCert).startsWith("ssh-ed25519-cert-v01@openssh.com "));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    root.resolve("var/lib/keyward-agent/credential"))));
            assertEquals(1, agent(root, "enroll", "--server", url, "--join-token-file", joinToken.toString()),
                    "a join token works once");

            // a static key through the API, then one cycle
            Api.Resp added = api.post("/api/v1/authorized-keys", admin, Map.of("account", USER,
                    "host", "e2e.example.com", "public_key", Files.readString(Path.of(staticKey + ".pub")),
                    "comment", "deploy key"));
            assertEquals(201, added.status(), added.toString());
            String staticFp = added.json().get("fingerprint").asText();
            Path sshdDir = root.resolve("sshd");
            String[] once = {"once", "--server", url, "--log-file", "/sshd/sshd.log"};
            assertEquals(0, agent(root, once));
            Path keywardFile = root.resolve("etc/ssh/keyward/authorized_keys/" + USER);
            assertTrue(Files.readString(keywardFile).contains(Files.readString(Path.of(staticKey + ".pub"))
                    .split(" ")[1] + " deploy key"), Files.readString(keywardFile));
            Path revokedKeys = root.resolve("etc/ssh/keyward/revoked_keys");
            Path trusted = root.resolve("etc/ssh/keyward/trusted_user_ca_keys");
            assertEquals(api.get("/api/v1/ca/user", null).body(), Files.readString(trusted));
            assertTrue(Files.size(revokedKeys) > 0);

            Path knownHosts = tmp.resolve("known_hosts");
            try (Sshd sshd = Sshd.start(sshdDir, hostKey, List.of(
                    "AuthorizedKeysFile " + keywardFile.getParent() + "/%u",
                    "TrustedUserCAKeys " + trusted,
                    "RevokedKeys " + revokedKeys,
                    "HostCertificate " + hostCert))) {
                // the client trusts only the host CA: the host certificate the agent installed must do
                StringBuilder kh = new StringBuilder();
                for (String line : api.get("/api/v1/ca/host", null).body().split("\n")) {
                    kh.append(line.replace("@cert-authority * ", "@cert-authority [127.0.0.1]:" + sshd.port() + " "))
                            .append('\n');
                }
                Files.writeString(knownHosts, kh.toString());
                Cmd.Result r = sshd.login(USER, staticKey, null, knownHosts);
                assertEquals(0, r.exitCode(), r.stderr() + sshd.log());

                // an engineer's certificate works, then is revoked: the agent installs the KRL, sshd refuses it
                String engineer = server.token("engineer", USER);
                Api.Resp cert = api.post("/api/v1/certs/user", engineer,
                        Map.of("public_key", Files.readString(Path.of(engineerKey + ".pub"))));
                assertEquals(201, cert.status(), cert.toString());
                Path certFile = Files.writeString(Path.of(engineerKey + "-cert.pub"),
                        cert.json().get("certificate").asText() + "\n");
                long serial = cert.json().get("serial").asLong();
                r = sshd.login(USER, engineerKey, certFile, knownHosts);
                assertEquals(0, r.exitCode(), r.stderr() + sshd.log());

                // usage: the agent reads sshd's log and reports both logins
                assertEquals(0, agent(root, once));
                JsonNode inv = api.get("/api/v1/keys", admin).json();
                JsonNode entry = find(inv.get("items"), "fingerprint", staticFp);
                assertNotNull(entry, inv.toString());
                assertNotNull(entry.get("last_used_at"), entry.toString());
                JsonNode certUse = find(inv.get("certificates"), "serial", Long.toString(serial));
                assertNotNull(certUse, inv.toString());
                assertEquals("e2e.example.com", certUse.get("host").asText());

                assertEquals(200, api.post("/api/v1/certs/" + serial + "/revoke", admin,
                        Map.of("reason", "laptop lost")).status());
                assertEquals(0, agent(root, once));
                assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", revokedKeys.toString(),
                        certFile.toString())).exitCode(), "ssh-keygen -Q: revoked");
                assertNotEquals(0, sshd.login(USER, engineerKey, certFile, knownHosts).exitCode());
                assertTrue(sshd.log().contains("revoked by file " + revokedKeys), sshd.log());

                // the host certificate is revoked: the state says renew now, the agent renews it through the
                // real endpoint and reloads sshd, and the client still trusts the host
                long hostSerial = dev.keyward.ca.cert.CertificateCodec.decodeLine(Files.readString(hostCert).strip())
                        .certificate().serial();
                assertEquals(200, api.post("/api/v1/certs/" + hostSerial + "/revoke", admin,
                        Map.of("reason", "host rebuilt")).status());
                String pid = Files.readString(sshdDir.resolve("sshd.pid")).strip();
                assertEquals(0, agent(root, "once", "--server", url, "--log-file", "/sshd/sshd.log",
                        "--set", "sshd_config=/sshd/sshd_config", "--set", "reload_command=kill -HUP " + pid));
                long renewed = dev.keyward.ca.cert.CertificateCodec.decodeLine(Files.readString(hostCert).strip())
                        .certificate().serial();
                assertNotEquals(hostSerial, renewed);
                r = null;
                for (int i = 0; i < 50; i++) { // sshd re-executes on SIGHUP: let it listen again
                    r = sshd.login(USER, staticKey, null, knownHosts);
                    if (r.exitCode() == 0) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertEquals(0, r.exitCode(), r.stderr() + sshd.log());

                // delete the static key: purged from the file, refused by sshd
                assertEquals(200, api.delete("/api/v1/authorized-keys/" + added.json().get("id").asLong(), admin)
                        .status());
                assertEquals(0, agent(root, once));
                assertFalse(Files.exists(keywardFile) && Files.readString(keywardFile).contains(
                        Files.readString(Path.of(staticKey + ".pub")).split(" ")[1]), "purged");
                assertNotEquals(0, sshd.login(USER, staticKey, null, knownHosts).exitCode());
            }
            // the agent's reports are idempotent: another cycle stores nothing new and keeps the inventory hash
            JsonNode hosts = api.get("/api/v1/hosts", admin).json();
            JsonNode h = find(hosts.get("items"), "hostname", "e2e.example.com");
            assertNotNull(h.get("inventory_hash"), h.toString());
        }
    }

    static JsonNode find(JsonNode items, String field, String value) {
        for (JsonNode n : items) {
            if (n.has(field) && n.get(field).asText().equals(value)) {
                return n;
            }
        }
        return null;
    }
}
