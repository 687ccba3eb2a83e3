package dev.keyward.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.testing.StubServer;
import dev.keyward.agent.testing.TestRoot;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's commands against a stand-in that speaks the wire contract (PROTOCOL-agent.md): enrollment,
 * ETag/304, KRL download, usage acknowledgement, inventory only on change, faults that change nothing, and host
 * certificate renewal followed by sshd -t and a reload of a real sshd that a real ssh client then trusts.
 */
class AgentAgainstServerContractTest {
    @TempDir
    Path tmp;
    Path root;
    TestRoot t;
    String user = Sshd.currentUser();
    Path hostKey;

    @BeforeEach
    void setUp() throws Exception {
        root = tmp.resolve("root");
        t = new TestRoot(root);
        t.account(user, (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        hostKey = Cmd.sshKeygen(root.resolve("etc/ssh"), "ssh_host_ed25519_key", "ed25519", 0);
        Files.createDirectories(root.resolve("var/log"));
    }

    int agent(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--root", root.toString()));
        return KeywardAgentCli.execute(a.toArray(String[]::new));
    }

    /** Signs every host key of a renewal or enrollment request with {@code ca}, as the server would. */
    byte[] signHostKeys(Map<String, Object> req, Path ca, String validity) throws Exception {
        List<String> certs = new ArrayList<>();
        int i = 0;
        for (Object k : (List<?>) req.get("host_keys")) {
            Path pub = tmp.resolve("req" + System.nanoTime() + "-" + i++ + ".pub");
            Files.writeString(pub, k + "\n");
            Cmd.run(List.of("ssh-keygen", "-q", "-s", ca.toString(), "-h", "-I", "host", "-n", "127.0.0.1",
                    "-V", validity, pub.toString())).orThrow();
            certs.add(Files.readString(Path.of(pub.toString().replace(".pub", "-cert.pub"))).strip());
        }
        return Json.write(Map.of("host_id", "h-1", "credential", StubServer.CREDENTIAL, "host_certs", certs));
    }

    byte[] state(long krlVersion, Map<String, AgentState.AccountState> accounts) {
        return Json.write(new AgentState("h-1", "managed", accounts, new AgentState.Trust(List.of(), 1),
                new AgentState.KrlRef(krlVersion, "/api/v1/krl", null), null));
    }

    @Test
    void enrollThenCyclesFollowTheContractAndFaultsChangeNothing() throws Exception {
        Path hostCa = Cmd.sshKeygen(tmp, "host-ca", "ed25519", 0);
        String key = t.newKey("k1");
        try (StubServer server = new StubServer()) {
            server.enroll = req -> {
                try {
                    assertEquals("jt-1", req.get("join_token"));
                    return signHostKeys(req, hostCa, "-1m:+1d");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Path token = Files.writeString(tmp.resolve("token"), "jt-1\n");
            assertEquals(0, agent("enroll", "--server", server.url(), "--join-token-file", token.toString()));
            Path cred = root.resolve("var/lib/keyward-agent/credential");
            assertEquals(StubServer.CREDENTIAL + "\n", Files.readString(cred));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cred)));
            assertTrue(Files.readString(root.resolve("etc/ssh/ssh_host_ed25519_key-cert.pub"))
                    .startsWith("ssh-ed25519-cert-v01@openssh.com "));

            Path krl = tmp.resolve("krl");
            Cmd.run(List.of("ssh-keygen", "-q", "-k", "-z", "3", "-f", krl.toString(), "/dev/null")).orThrow();
            server.krl = Files.readAllBytes(krl);
            server.state = state(3, Map.of(user, new AgentState.AccountState(
                    List.of(new AgentState.DesiredKey("k1", key, null, null, null, null)), List.of())));
            Path log = root.resolve("var/log/auth.log");
            // a PID above the kernel's PID_MAX_LIMIT (2^22): no process has it, so the writer check cannot flag it
            Files.writeString(log, "Nov 29 10:00:01 h sshd[4194305]: Accepted publickey for " + user + " from 10.1.1.1"
                    + " port 5000 ssh2: ED25519 SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");

            assertEquals(0, agent("once"));
            assertTrue(Files.readString(t.keywardFile(user)).contains(key));
            assertArrayEquals(server.krl, Files.readAllBytes(root.resolve("etc/ssh/keyward/revoked_keys")));
            assertEquals(1, server.usageEvents.size());
            assertEquals("10.1.1.1", server.usageEvents.get(0).get("source_ip"));
            assertEquals(1, server.inventories.size());
            assertEquals(1, ((List<?>) server.inventories.get(0).get("keys")).size());
            assertEquals(1, server.statusReports.size());
            assertEquals("file", server.statusReports.get(0).get("usage_source"));
            assertEquals("/var/log/auth.log", server.statusReports.get(0).get("usage_detail"));
            assertEquals(3L, server.statusReports.get(0).get("krl_version"));
            assertEquals(1L, server.statusReports.get(0).get("trust_version"));

            server.requests.clear();
            assertEquals(0, agent("once"));
            assertTrue(server.requests.contains("GET /api/v1/agent/state If-None-Match"), server.requests.toString());
            assertEquals(1, server.usageEvents.size(), "nothing re-sent");
            assertEquals(1, server.inventories.size(), "inventory unchanged: not re-sent");
            assertEquals(1, server.statusReports.size(), "status unchanged: not re-sent");
            assertEquals(0, agent("status"));

            // a malformed state document: exit non-zero, nothing changes
            Map<String, String> before = t.snapshot();
            server.state = "{\"mode\":\"managed\",\"accounts\":{\"x\":{\"keys\":[{\"key\":\"ssh-ed25519 AAAA\"}]}},\"trust\":{\"user_ca_keys\":[],\"version\":1},\"krl\":{\"version\":3}}"
                    .getBytes(StandardCharsets.UTF_8);
            assertEquals(1, agent("once"));
            assertEquals(without(before), without(t.snapshot()));
            server.state = "not json".getBytes(StandardCharsets.UTF_8);
            assertEquals(1, agent("once"));
            assertEquals(without(before), without(t.snapshot()));
        }
        // the server is gone: exit non-zero, nothing changes
        Map<String, String> before = t.snapshot();
        assertEquals(1, agent("once"));
        assertEquals(without(before), without(t.snapshot()));
    }

    @Test
    void runLongPollsAndStopsAfterMaxCycles() throws Exception {
        try (StubServer server = new StubServer()) {
            Files.createDirectories(root.resolve("var/lib/keyward-agent"));
            Files.writeString(root.resolve("var/lib/keyward-agent/credential"), StubServer.CREDENTIAL + "\n");
            Cmd.run(List.of("ssh-keygen", "-q", "-k", "-z", "1", "-f", tmp.resolve("krl").toString(), "/dev/null"))
                    .orThrow();
            server.krl = Files.readAllBytes(tmp.resolve("krl"));
            server.state = state(1, Map.of());
            long t0 = System.nanoTime();
            assertEquals(0, agent("run", "--server", server.url(), "--max-cycles", "3",
                    "--set", "long_poll=5", "--set", "poll_interval=1"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            List<String> states = server.requests.stream().filter(r -> r.startsWith("GET /api/v1/agent/state"))
                    .toList();
            assertEquals(3, states.size(), server.requests.toString());
            assertEquals("GET /api/v1/agent/state?wait=5", states.get(0));
            assertEquals("GET /api/v1/agent/state?wait=5 If-None-Match", states.get(1));
            assertTrue(ms < 20_000, "a server that answers at once is polled every poll_interval: " + ms + " ms");
        }
    }

    /** The snapshot without the agent's own state directory (status.json records every attempt). */
    static Map<String, String> without(Map<String, String> snap) {
        Map<String, String> m = new java.util.TreeMap<>(snap);
        m.keySet().removeIf(k -> k.startsWith("var/lib/keyward-agent"));
        return m;
    }

    @Test
    void hostCertIsRenewedSshdReloadedAndSshTrustsTheHost() throws Exception {
        Path oldCa = Cmd.sshKeygen(tmp, "old-host-ca", "ed25519", 0);
        Path newCa = Cmd.sshKeygen(tmp, "new-host-ca", "ed25519", 0);
        // a certificate from the old CA with less than a third of its life left
        Cmd.run(List.of("ssh-keygen", "-q", "-s", oldCa.toString(), "-h", "-I", "host", "-n", "127.0.0.1",
                "-V", "-2h:+10m", hostKey + ".pub")).orThrow();
        Path cert = Path.of(hostKey + "-cert.pub");
        String userKey = t.newKey("login");
        Files.createDirectories(root.resolve("etc/ssh/sshd_config.d"));
        try (StubServer server = new StubServer();
                Sshd sshd = Sshd.start(root.resolve("sshd"), hostKey, List.of(
                        "Include " + root + "/etc/ssh/sshd_config.d/*.conf",
                        "HostCertificate " + cert))) {
            Files.createDirectories(root.resolve("var/lib/keyward-agent"));
            Files.writeString(root.resolve("var/lib/keyward-agent/credential"), StubServer.CREDENTIAL + "\n");
            server.hostCerts = req -> {
                try {
                    return signHostKeys(req, newCa, "-1m:+1d");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Cmd.run(List.of("ssh-keygen", "-q", "-k", "-z", "1", "-f", tmp.resolve("krl").toString(), "/dev/null"))
                    .orThrow();
            server.krl = Files.readAllBytes(tmp.resolve("krl"));
            server.state = state(1, Map.of(user, new AgentState.AccountState(
                    List.of(new AgentState.DesiredKey("k", userKey, null, null, null, null)), List.of())));
            String pid = Files.readString(root.resolve("sshd/sshd.pid")).strip();
            Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), "@cert-authority [127.0.0.1]:"
                    + sshd.port() + " " + Files.readString(Path.of(newCa + ".pub")));
            assertTrue(sshd.login(user, t.privateKey("login"), null, knownHosts).exitCode() != 0,
                    "before renewal the host cert is from a CA the client does not trust");

            assertEquals(0, agent("once", "--server", server.url(),
                    "--set", "manage_sshd_config=true",
                    "--set", "sshd_config=/sshd/sshd_config",
                    "--set", "reload_command=kill -HUP " + pid));
            assertTrue(server.requests.stream().anyMatch(r -> r.startsWith("POST /api/v1/agent/host-certs")));
            String dropIn = Files.readString(root.resolve("etc/ssh/sshd_config.d/50-keyward.conf"));
            assertTrue(dropIn.contains("AuthorizedKeysFile .ssh/authorized_keys " + root
                    + "/etc/ssh/keyward/authorized_keys/%u\n"), dropIn);
            assertTrue(dropIn.contains("HostCertificate " + cert + "\n"), dropIn);

            // sshd re-executes on SIGHUP: give it a moment to listen again, then log in trusting only the new CA
            Cmd.Result r = null;
            for (int i = 0; i < 50; i++) {
                r = sshd.login(user, t.privateKey("login"), null, knownHosts);
                if (r.exitCode() == 0) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(0, r.exitCode(), r.stderr() + sshd.log());
        }
    }
}
