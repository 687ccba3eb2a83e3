package dev.keyward.web.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What agents send is checked element by element, against the real server and its PostgreSQL: an inventory line
 * or usage event holding data PostgreSQL cannot store (a NUL, an unpaired surrogate, text beyond its column, a
 * number out of range) or breaking a rule is refused on its own (an inventory line is kept with a problem where
 * only its description is bad), and the rest of the report is stored. Never a 500.
 */
class AgentReportsHostileInputTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Api api;
    static String admin;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create());
        api = server.api();
        admin = server.adminToken();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String enroll(String hostname) {
        Api.Resp h = api.post("/api/v1/hosts", admin, Map.of("hostname", hostname));
        assertEquals(201, h.status(), h.toString());
        Api.Resp e = api.post("/api/v1/hosts/enroll", null, Map.of("join_token", h.json().get("join_token").asText(),
                "host_keys", List.of(SshKeyLines.ed25519(hostname))));
        assertEquals(200, e.status(), e.toString());
        return e.json().get("credential").asText();
    }

    static Map<String, Object> m(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static String fp(char c) {
        return "SHA256:" + String.valueOf(c).repeat(43);
    }

    /** The body as JSON, with {@code @@U+D800@@} turned into the JSON escape of an unpaired surrogate. */
    static String json(Object body) throws Exception {
        return Api.JSON.writeValueAsString(body).replace("@@U+D800@@", "\\ud800");
    }

    static Map<String, Object> line(String account, int n, String fingerprint, Object... extra) {
        Map<String, Object> l = m("account", account, "file", "/home/" + account + "/.ssh/authorized_keys",
                "line", n, "source", "user", "type", "ssh-ed25519", "bits", 256, "fingerprint", fingerprint,
                "comment", "k" + n, "options", List.of(), "problem", "");
        for (int i = 0; i < extra.length; i += 2) {
            l.put((String) extra[i], extra[i + 1]);
        }
        return l;
    }

    static JsonNode keysOn(String host) {
        Api.Resp r = api.get("/api/v1/keys?host=" + host + "&limit=1000", admin);
        assertEquals(200, r.status(), r.toString());
        return r.json().get("items");
    }

    static JsonNode entry(JsonNode items, String fingerprint) {
        for (JsonNode k : items) {
            if (k.get("fingerprint").asText().equals(fingerprint)) {
                return k;
            }
        }
        throw new AssertionError("no " + fingerprint + " in " + items);
    }

    /** The stored options column of the inventory line of {@code fingerprint} (not in any API answer). */
    static String storedOptions(String fingerprint) {
        return server.server().database().dsl().fetchValue(
                "SELECT options FROM host_inventory WHERE fingerprint = ?", fingerprint).toString();
    }

    @Test
    void inventoryKeepsLinesWithUnstorableTextFlaggedAndLeavesOutOnlyLinesThatCannotBePlaced() throws Exception {
        String credential = enroll("inv.example.com");
        List<Object> keys = new ArrayList<>();
        keys.add(line("alice", 1, fp('A')));                                                  // 0 fine
        keys.add(line("alice", 2, fp('B'), "comment", "laptop\u0000evil"));                   // 1 NUL in comment
        keys.add(line("alice", 3, fp('C'), "options", List.of("no-pty", "x@@U+D800@@")));     // 2 unpaired surrogate
        keys.add(line("alice", 4, fp('D'), "type", "t".repeat(300)));                         // 3 over-long type
        keys.add(line("john.doe@corp", 1, fp('E')));                                          // 4 not a managed name
        keys.add(line("alice", 5, "SHA256:short"));                                           // 5 cannot be placed
        keys.add(line("alice", 6, fp('F'), "line", 99_999_999_999L));                         // 6 number out of range
        keys.add(line("al\u0000ice", 7, fp('G')));                                            // 7 NUL in account
        keys.add(line("alice", 8, fp('H'), "bits", "many"));                                  // 8 wrong type
        Api.Resp r = api.post("/api/v1/agent/inventory", credential,
                json(m("hash", "1".repeat(64), "keys", keys)));
        assertEquals(200, r.status(), r.toString());
        assertEquals("1".repeat(64), r.json().get("hash").asText());
        JsonNode rejected = r.json().get("rejected");
        assertNotNull(rejected, r.toString());
        List<Integer> indexes = new ArrayList<>();
        rejected.forEach(x -> indexes.add(x.get("index").asInt()));
        assertEquals(List.of(5, 6, 7, 8), indexes, r.toString());
        assertTrue(rejected.get(0).get("problem").asText().contains("fingerprint"), r.toString());
        assertTrue(rejected.get(1).get("problem").asText().contains("keys[6].line"), r.toString());
        assertTrue(rejected.get(2).get("problem").asText().contains("account"), r.toString());
        assertTrue(rejected.get(3).get("problem").asText().contains("keys[8].bits"), r.toString());

        JsonNode items = keysOn("inv.example.com");
        assertEquals(5, items.size(), items.toString());
        JsonNode nul = entry(items, fp('B'));
        assertEquals(List.of("laptop\uFFFDevil"), texts(nul.get("comments")), nul.toString());
        assertTrue(nul.at("/locations/0/problem").asText().contains("comment holds a NUL"), nul.toString());
        JsonNode surrogate = entry(items, fp('C'));
        assertEquals("no-pty\nx\uFFFD", storedOptions(fp('C')));
        assertTrue(surrogate.at("/locations/0/problem").asText().contains("unpaired surrogate"), surrogate.toString());
        JsonNode longType = entry(items, fp('D'));
        assertEquals(64, longType.get("type").asText().length(), longType.toString());
        assertTrue(longType.at("/locations/0/problem").asText().contains("type is longer than 64"),
                longType.toString());
        JsonNode foreign = entry(items, fp('E'));
        assertEquals("john.doe@corp", foreign.at("/locations/0/account").asText(), foreign.toString());
        assertTrue(foreign.at("/locations/0/problem").asText().contains("not one Keyward manages"),
                foreign.toString());
        assertFalse(entry(items, fp('A')).get("locations").get(0).has("problem"), "a fine line has no problem");

        // a revoked key in an account Keyward cannot manage stays out of the desired state (which the agent
        // would refuse whole), while the same key in a managed account is purged
        assertEquals(201, api.post("/api/v1/revocations", admin, Map.of("fingerprint", fp('E'), "reason", "x"))
                .status());
        assertEquals(200, api.post("/api/v1/agent/inventory", credential, json(m("hash", "2".repeat(64), "keys",
                List.of(line("john.doe@corp", 1, fp('E')), line("alice", 9, fp('E')))))).status());
        Api.Resp state = api.get("/api/v1/agent/state", credential);
        assertEquals(200, state.status(), state.toString());
        assertFalse(state.body().contains("john.doe"), state.body());
        assertEquals(fp('E'), state.json().get("accounts").get("alice").get("purge").get(0).get("fingerprint")
                .asText());
    }

    @Test
    void usageEventsThatCannotBeStoredAreRejectedAndAcknowledgedAndTheOthersStored() throws Exception {
        String credential = enroll("use.example.com");
        List<Object> events = new ArrayList<>();
        events.add(event("ok-1"));
        events.add(event("nul-detail", "detail", "a\u0000b"));
        events.add(event("nul-key-id", "key_type", "ED25519-CERT", "cert_serial", "7", "key_id", "k\u0000"));
        events.add(event("surrogate", "source_ip", "10.0.0.@@U+D800@@"));
        events.add(event("long-detail", "detail", "d".repeat(1025)));
        events.add(event("port", "source_port", 99_999_999_999L));
        events.add(event("year", "time", "+10000-01-01T00:00:00Z"));
        events.add(event("bad id with spaces"));
        events.add(m("time", "2026-11-29T10:00:00Z"));                     // no id: nothing to acknowledge
        events.add(event("ok-2"));
        Api.Resp r = api.post("/api/v1/agent/usage", credential, json(m("events", events)));
        assertEquals(200, r.status(), r.toString());
        assertEquals(List.of("ok-1", "nul-detail", "nul-key-id", "surrogate", "long-detail", "port", "year",
                "bad id with spaces", "ok-2"), texts(r.json().get("acknowledged")), r.toString());
        assertEquals(2, r.json().get("stored").asInt(), r.toString());
        Map<Integer, String> rejected = new LinkedHashMap<>();
        r.json().get("rejected").forEach(x -> rejected.put(x.get("index").asInt(), x.get("problem").asText()));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), List.copyOf(rejected.keySet()), r.toString());
        assertTrue(rejected.get(1).contains("events[1].detail") && rejected.get(1).contains("NUL"), r.toString());
        assertTrue(rejected.get(2).contains("events[2].key_id"), r.toString());
        assertTrue(rejected.get(3).contains("events[3].source_ip"), r.toString());
        assertTrue(rejected.get(4).contains("detail is longer than 1024"), r.toString());
        assertTrue(rejected.get(5).contains("events[5].source_port"), r.toString());
        assertTrue(rejected.get(6).contains("0001 to 9999"), r.toString());
        assertTrue(rejected.get(7).contains("id must be"), r.toString());

        // sent again (the agent re-sends what was not acknowledged): nothing new, the same acknowledgements
        Api.Resp again = api.post("/api/v1/agent/usage", credential, json(m("events", events)));
        assertEquals(200, again.status(), again.toString());
        assertEquals(0, again.json().get("stored").asInt(), again.toString());
        assertEquals(texts(r.json().get("acknowledged")), texts(again.json().get("acknowledged")));
    }

    static Map<String, Object> event(String id, Object... extra) {
        Map<String, Object> e = m("id", id, "time", "2026-11-29T10:00:00Z", "account", "deploy",
                "fingerprint", fp('K'), "key_type", "ED25519", "source_ip", "10.0.0.7", "source_port", 5000,
                "kind", "accepted", "detail", "");
        for (int i = 0; i < extra.length; i += 2) {
            e.put((String) extra[i], extra[i + 1]);
        }
        return e;
    }

    /**
     * The issue's case with the real agent: a user writes a NUL into a comment in their own authorized_keys; the
     * agent's cycle still succeeds and the server keeps the line, flagged, next to the user's other keys.
     */
    @Test
    void realAgentReportsAnAuthorizedKeysLineWithANulInItsComment() throws Exception {
        Path root = dir.resolve("root");
        String user = "mallory";
        Path ssh = Files.createDirectories(root.resolve("home/" + user + "/.ssh"));
        Files.setPosixFilePermissions(ssh.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Files.writeString(Files.createDirectories(root.resolve("etc")).resolve("passwd"),
                user + ":x:" + uid + ":" + uid + "::/home/" + user + ":/bin/sh\n");
        Cmd.sshKeygen(Files.createDirectories(root.resolve("etc/ssh")), "ssh_host_ed25519_key", "ed25519", 0);
        String good = SshKeyLines.ed25519("good");
        String poisoned = SshKeyLines.ed25519("x");
        poisoned = poisoned.substring(0, poisoned.lastIndexOf(' ')) + " laptop\u0000evil";
        Files.write(ssh.resolve("authorized_keys"), (good + "\n" + poisoned + "\n").getBytes(StandardCharsets.UTF_8));

        Api.Resp h = api.post("/api/v1/hosts", admin, Map.of("hostname", "agent.example.com"));
        assertEquals(201, h.status(), h.toString());
        Path joinToken = Files.writeString(dir.resolve("join-token"), h.json().get("join_token").asText());
        String url = "http://127.0.0.1:" + server.port();
        assertEquals(0, KeywardAgentCli.execute(new String[] {"enroll", "--server", url, "--join-token-file",
                joinToken.toString(), "--root", root.toString()}));
        assertEquals(0, KeywardAgentCli.execute(new String[] {"once", "--server", url, "--log-file",
                "/var/log/none.log", "--root", root.toString()}), "the cycle, inventory included, succeeds");

        JsonNode items = keysOn("agent.example.com");
        assertEquals(2, items.size(), items.toString());
        boolean flagged = false;
        for (JsonNode k : items) {
            JsonNode loc = k.get("locations").get(0);
            if (loc.get("line").asInt() == 2) {
                assertEquals(List.of("laptop\uFFFDevil"), texts(k.get("comments")), k.toString());
                assertTrue(loc.get("problem").asText().contains("NUL"), loc.toString());
                flagged = true;
            }
        }
        assertTrue(flagged, items.toString());
    }

    static List<String> texts(JsonNode a) {
        List<String> l = new ArrayList<>();
        a.forEach(n -> l.add(n.asText()));
        return l;
    }
}
