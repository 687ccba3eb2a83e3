package dev.keyward.web.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's status report reaches the host in {@code GET /api/v1/hosts}: the real agent (in-process, under
 * {@code --root}) on a host with no sshd log and no journal reports usage source {@code none} with why, and the
 * KRL and trust versions it installed; the route stores what an agent sends (unsigned KRL versions up to 2^64-1,
 * fields it does not know ignored) and refuses malformed fields with a 400 naming them, a NUL included.
 */
class AgentStatusReportTest {
    @TempDir
    Path tmp;

    static int agent(Path root, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--root", root.toString()));
        PrintStream old = System.err;
        var err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int rc = KeywardAgentCli.execute(a.toArray(String[]::new));
            old.print(err.toString(StandardCharsets.UTF_8));
            return rc;
        } finally {
            System.setErr(old);
        }
    }

    static JsonNode host(Api api, String admin, String hostname) {
        for (JsonNode h : api.get("/api/v1/hosts", admin).json().get("items")) {
            if (h.get("hostname").asText().equals(hostname)) {
                return h;
            }
        }
        throw new AssertionError("no host " + hostname);
    }

    @Test
    void aHostWithoutUsageSourceSaysSoInTheHostList() throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Cmd.sshKeygen(Files.createDirectories(root.resolve("etc/ssh")), "ssh_host_ed25519_key", "ed25519", 0);
        try (TestServer server = TestServer.start(tmp.resolve("home"), TestDatabases.create())) {
            Api api = server.api();
            String admin = server.adminToken();
            String url = "http://127.0.0.1:" + server.port();
            Api.Resp created = api.post("/api/v1/hosts", admin, Map.of("hostname", "quiet.example.com"));
            assertEquals(201, created.status(), created.toString());
            Path token = Files.writeString(tmp.resolve("join-token"), created.json().get("join_token").asText());
            assertEquals(0, agent(root, "enroll", "--server", url, "--join-token-file", token.toString()));
            assertNull(host(api, admin, "quiet.example.com").get("agent"), "no report before the first cycle");

            assertEquals(0, agent(root, "once", "--server", url));
            JsonNode agent = host(api, admin, "quiet.example.com").get("agent");
            assertEquals("none", agent.get("usage_source").asText(), agent.toString());
            assertEquals("no /var/log/auth.log or /var/log/secure, no journal files in /run/log/journal or"
                    + " /var/log/journal (log_source = auto)", agent.get("usage_detail").asText().replaceAll(
                    ", no journalctl \\(journal_command\\) installed", ""));
            assertEquals("0.1.0", agent.get("version").asText());
            assertEquals(0, agent.get("usage_flagged").asLong());
            long krl = api.get("/api/v1/krl", null).raw().headers().firstValueAsLong("X-Keyward-Krl-Version")
                    .orElseThrow();
            assertEquals(krl, agent.get("krl_version").asLong(), "the KRL version the agent installed");
            assertTrue(agent.get("trust_version").asLong() >= 1, agent.toString());
            assertNotNull(agent.get("reported_at").asText());

            // a log file appears: the next cycle reports the new source
            Files.createDirectories(root.resolve("var/log"));
            Files.writeString(root.resolve("var/log/secure"), "");
            assertEquals(0, agent(root, "once", "--server", url));
            agent = host(api, admin, "quiet.example.com").get("agent");
            assertEquals("file", agent.get("usage_source").asText());
            assertEquals("/var/log/secure", agent.get("usage_detail").asText());
        }
    }

    @Test
    void theRouteStoresWhatAnAgentSendsAndRefusesMalformedFields() throws Exception {
        try (TestServer server = TestServer.start(tmp.resolve("home"), TestDatabases.create())) {
            Api api = server.api();
            String admin = server.adminToken();
            Api.Resp created = api.post("/api/v1/hosts", admin, Map.of("hostname", "h1.example.com"));
            Path keys = Files.createDirectories(tmp.resolve("keys"));
            Path hostKey = Cmd.sshKeygen(keys, "host", "ed25519", 0);
            Api.Resp enrolled = api.post("/api/v1/hosts/enroll", null, Map.of("join_token",
                    created.json().get("join_token").asText(), "host_keys",
                    List.of(Files.readString(Path.of(hostKey + ".pub")).strip())));
            assertEquals(200, enrolled.status(), enrolled.toString());
            String credential = enrolled.json().get("credential").asText();

            Api.Resp ok = api.post("/api/v1/agent/status", credential, "{\"agent_version\":\"0.2.0\","
                    + "\"usage_source\":\"journal\",\"usage_detail\":\"journalctl -o json\",\"usage_flagged\":3,"
                    + "\"usage_last_flagged\":\"2026-12-04T10:00:00Z pid 4001 (_UID 1000, _EXE /usr/bin/logger):"
                    + " accepted publickey for root\",\"trust_version\":7,\"krl_version\":18446744073709551615,"
                    + "\"a_field_of_a_newer_agent\":{\"x\":1}}");
            assertEquals(200, ok.status(), ok.toString());
            assertNotNull(ok.json().get("received_at"));
            JsonNode agent = host(api, admin, "h1.example.com").get("agent");
            assertEquals("18446744073709551615", agent.get("krl_version").asText(), agent.toString());
            assertTrue(agent.get("krl_version").isNumber(), agent.toString());
            assertEquals("journal", agent.get("usage_source").asText());
            assertEquals(3, agent.get("usage_flagged").asLong());
            assertTrue(agent.get("usage_last_flagged").asText().contains("/usr/bin/logger"));
            assertEquals(7, agent.get("trust_version").asLong());

            Map<String, String> bad = new java.util.LinkedHashMap<>();
            bad.put("{\"usage_source\":\"syslog\"}", "usage_source");
            bad.put("{\"agent_version\":\"0.1\"}", "usage_source");
            bad.put("{\"usage_source\":\"file\",\"usage_detail\":\"/var/log/auth\\u0000.log\"}", "usage_detail");
            bad.put("{\"usage_source\":\"file\",\"usage_last_flagged\":\"a\\u001b[31mb\"}", "usage_last_flagged");
            bad.put("{\"usage_source\":\"file\",\"krl_version\":18446744073709551616}", "krl_version");
            bad.put("{\"usage_source\":\"file\",\"krl_version\":-1}", "krl_version");
            bad.put("{\"usage_source\":\"file\",\"trust_version\":\"7\"}", "trust_version");
            bad.put("{\"usage_source\":\"file\",\"trust_version\":-2}", "trust_version");
            bad.put("{\"usage_source\":\"file\",\"usage_flagged\":-1}", "usage_flagged");
            bad.put("{\"usage_source\":\"file\",\"agent_version\":\"0.1 beta\"}", "agent_version");
            bad.put("{\"usage_source\":\"file\",\"usage_detail\":\"" + "x".repeat(1025) + "\"}", "usage_detail");
            for (var e : bad.entrySet()) {
                Api.Resp r = api.post("/api/v1/agent/status", credential, e.getKey());
                assertEquals(400, r.status(), e.getKey() + " -> " + r);
                assertTrue(r.json().get("detail").asText().contains(e.getValue()), e.getKey() + " -> " + r);
            }
            assertEquals("18446744073709551615", host(api, admin, "h1.example.com").get("agent").get("krl_version")
                    .asText(), "refused reports change nothing");
            assertEquals(403, api.post("/api/v1/agent/status", admin, "{\"usage_source\":\"none\"}").status(),
                    "only a host's credential reports for it");
        }
    }
}
