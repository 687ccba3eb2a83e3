package dev.keyward.web.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostsApiTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Api api;
    static String admin;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create(),
                "inventory:\n  purge_unused_after: 30d\n");
        api = server.api();
        admin = server.adminToken();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A registered host's join token. */
    static String register(String hostname, Object... extra) {
        Map<String, Object> body = new HashMap<>();
        body.put("hostname", hostname);
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        Api.Resp r = api.post("/api/v1/hosts", admin, body);
        assertEquals(201, r.status(), r.toString());
        return r.json().get("join_token").asText();
    }

    record Enrolled(String credential, String hostKey, JsonNode response) {
    }

    static Enrolled enroll(String hostname, Object... extra) {
        String key = SshKeyLines.ed25519(hostname);
        Api.Resp r = api.post("/api/v1/hosts/enroll", null, Map.of("join_token", register(hostname, extra),
                "hostname", hostname, "host_keys", List.of(key)));
        assertEquals(200, r.status(), r.toString());
        return new Enrolled(r.json().get("credential").asText(), key, r.json());
    }

    static void assertProblem(Api.Resp r, int status, String detailPart) {
        assertEquals(status, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertTrue(r.json().get("detail").asText().contains(detailPart), r.toString());
    }

    @Test
    void enrollmentTradesTheJoinTokenOnceForACredentialAndHostCerts() {
        String token = register("web1.example.com", "principals", List.of("web1.example.com", "web1"),
                "labels", List.of("web"));
        String key = SshKeyLines.ed25519("web1");
        assertProblem(api.post("/api/v1/hosts/enroll", null, Map.of("join_token", "kwj_" + "A".repeat(43),
                "host_keys", List.of(key))), 401, "not known");
        assertProblem(api.post("/api/v1/hosts/enroll", null, Map.of("join_token", "nonsense",
                "host_keys", List.of(key))), 401, "malformed");
        // a malformed host key is refused before the token is spent
        assertProblem(api.post("/api/v1/hosts/enroll", null, Map.of("join_token", token,
                "host_keys", List.of("ssh-ed25519 AAAAnotbase64!"))), 400, "host_keys[0]");
        assertProblem(api.post("/api/v1/hosts/enroll", null, Map.of("join_token", token,
                "host_keys", List.of())), 400, "host_keys");

        Api.Resp ok = api.post("/api/v1/hosts/enroll", null, Map.of("join_token", token, "hostname", "web1",
                "host_keys", List.of(key, key)));
        assertEquals(200, ok.status(), ok.toString());
        String credential = ok.json().get("credential").asText();
        assertTrue(credential.startsWith("kwt_"));
        assertEquals(1, ok.json().get("host_certs").size(), "one cert per distinct host key");
        SignedCertificate cert = CertificateCodec.decodeLine(ok.json().get("host_certs").get(0).asText());
        assertEquals(CertType.HOST, cert.certificate().type());
        assertEquals(List.of("web1", "web1.example.com"), cert.certificate().principals().stream().sorted().toList());

        Api.Resp reused = api.post("/api/v1/hosts/enroll", null, Map.of("join_token", token,
                "host_keys", List.of(key)));
        assertProblem(reused, 409, "already used");
        assertEquals(reused.json().get("detail"), reused.json().get("error"), "the agent prints 'error'");

        Api.Resp hosts = api.get("/api/v1/hosts", server.token("auditor", "ann"));
        assertEquals(200, hosts.status(), hosts.toString());
        JsonNode web1 = null;
        for (JsonNode h : hosts.json().get("items")) {
            if (h.get("hostname").asText().equals("web1.example.com")) {
                web1 = h;
            }
        }
        assertNotNull(web1, hosts.toString());
        assertEquals("enrolled", web1.get("status").asText());
        assertEquals("managed", web1.get("mode").asText());
        assertFalse(hosts.body().contains("kwj_"), "join tokens are never listed");

        // renewal: only the host's own enrolled keys
        Api.Resp renewed = api.post("/api/v1/agent/host-certs", credential, Map.of("host_keys", List.of(key)));
        assertEquals(200, renewed.status(), renewed.toString());
        assertEquals(1, renewed.json().get("host_certs").size());
        assertProblem(api.post("/api/v1/agent/host-certs", credential,
                Map.of("host_keys", List.of(SshKeyLines.ed25519("stranger")))), 403, "not one web1.example.com");

        // re-enrollment with a new join token replaces the credential
        long id = web1.get("id").asLong();
        Api.Resp again = api.post("/api/v1/hosts/" + id + "/join-token", admin, "");
        assertEquals(201, again.status(), again.toString());
        Api.Resp re = api.post("/api/v1/hosts/enroll", null, Map.of("join_token",
                again.json().get("join_token").asText(), "host_keys", List.of(key)));
        assertEquals(200, re.status(), re.toString());
        assertEquals(401, api.get("/api/v1/agent/state", credential).status(), "the old credential is revoked");
        assertEquals(200, api.get("/api/v1/agent/state", re.json().get("credential").asText()).status());
        assertProblem(api.post("/api/v1/hosts/999999/join-token", admin, ""), 404, "999999");

        // a host token that no enrollment made is not an agent
        String loose = server.token("host", "loose", "loose.example.com");
        assertProblem(api.get("/api/v1/agent/state", loose), 403, "not bound to an enrolled host");
    }

    /**
     * POST /certs/host with an enrolled host's credential certifies only the keys the host enrolled with (a leaked
     * credential alone must not pass as the host); a host API token no enrollment made keeps certifying any key for
     * its principals, as documented.
     */
    @Test
    void enrolledCredentialGetsHostCertsOnlyForItsEnrolledKeys() {
        Enrolled h = enroll("cert1.example.com");
        Api.Resp stranger = api.post("/api/v1/certs/host", h.credential(),
                Map.of("public_key", SshKeyLines.ed25519("attacker")));
        assertProblem(stranger, 403, "not one cert1.example.com enrolled with");
        Api.Resp own = api.post("/api/v1/certs/host", h.credential(), Map.of("public_key", h.hostKey()));
        assertEquals(201, own.status(), own.toString());
        assertEquals("cert1.example.com", own.json().get("principals").get(0).asText());

        String provisioning = server.token("host", "prov", "prov1.example.com");
        Api.Resp any = api.post("/api/v1/certs/host", provisioning, Map.of("public_key", SshKeyLines.ed25519("p")));
        assertEquals(201, any.status(), any.toString());
        assertEquals("prov1.example.com", any.json().get("principals").get(0).asText());
    }

    @Test
    void registrationAndStaticKeysRefuseBadInput() {
        String openApi = api.get("/openapi.json", null).body();
        for (String path : List.of("/api/v1/hosts", "/api/v1/hosts/enroll", "/api/v1/agent/state", "/api/v1/keys",
                "/api/v1/authorized-keys/{id}", "/api/v1/agent/usage")) {
            assertTrue(openApi.contains("\"" + path + "\""), path);
        }
        assertProblem(api.post("/api/v1/hosts", admin, Map.of("hostname", "bad host")), 400, "hostname");
        // host names as issuance checks them: ssh reads '*' and '?' in a host certificate as wildcards
        for (String name : List.of("*", "*.example.com", "web?.example.com", "web\u202E1.example.com")) {
            assertProblem(api.post("/api/v1/hosts", admin, Map.of("hostname", name)), 400, "hostname '");
            assertProblem(api.post("/api/v1/hosts", admin, Map.of("hostname", "ok-" + name.length() + ".example.com",
                    "principals", List.of(name))), 400, "principal '");
        }
        assertProblem(api.post("/api/v1/hosts", admin, Map.of("hostname", "m.example.com", "mode", "chaos")), 400,
                "mode");
        register("dup.example.com");
        assertProblem(api.post("/api/v1/hosts", admin, Map.of("hostname", "dup.example.com")), 409, "already");
        String key = SshKeyLines.ed25519("svc");
        for (String account : List.of("../etc", "-rf", "a/b", "x y", "", "a".repeat(40))) {
            assertEquals(400, api.post("/api/v1/authorized-keys", admin, Map.of("account", account,
                    "host", "dup.example.com", "public_key", key)).status(), account);
        }
        assertProblem(api.post("/api/v1/authorized-keys", admin, Map.of("account", "svc", "host", "dup.example.com",
                "host_label", "web", "public_key", key)), 400, "exactly one");
        assertProblem(api.post("/api/v1/authorized-keys", admin, Map.of("account", "svc",
                "host", "nowhere.example.com", "public_key", key)), 404, "nowhere");
        assertProblem(api.post("/api/v1/authorized-keys", admin, Map.of("account", "svc", "host", "dup.example.com",
                "public_key", key, "expires_at", "2001-01-01T00:00:00Z")), 400, "past");
        assertProblem(api.post("/api/v1/authorized-keys", admin, Map.of("account", "svc", "host", "dup.example.com",
                "public_key", key, "options", List.of("no-pty\nrm -rf /"))), 400, "single line");
        assertProblem(api.post("/api/v1/authorized-keys", admin, Map.of("account", "svc", "host", "dup.example.com",
                "public_key", "ssh-rsa AAAA")), 400, "");
        // option names and values as sshd checks them (sshd skips a line with an option it does not accept)
        for (String bad : List.of("frobnicate", "no-restrict", "command=true", "permitopen=\"host\"",
                "expiry-time=\"20991301\"", "from=\"10.0.0.1/8\"")) {
            assertProblem(api.post("/api/v1/authorized-keys", admin, Map.of("account", "svc",
                    "host", "dup.example.com", "public_key", key, "options", List.of(bad))), 400, "options: option '");
        }
        assertProblem(api.post("/api/v1/authorized-keys", admin, Map.of("account", "svc", "host", "dup.example.com",
                "public_key", key, "options", List.of("command=\"a\"", "command=\"b\""))), 400, "twice");
        assertEquals(201, api.post("/api/v1/authorized-keys", admin, Map.of("account", "svc",
                "host", "dup.example.com", "public_key", key)).status());
        assertProblem(api.post("/api/v1/authorized-keys", admin, Map.of("account", "svc", "host", "dup.example.com",
                "public_key", key)), 409, "already authorized");
        assertProblem(api.delete("/api/v1/authorized-keys/999999", admin), 404, "999999");
    }

    static Api.Resp state(String credential, String etag, int wait) {
        return api.get("/api/v1/agent/state" + (wait > 0 ? "?wait=" + wait : ""), credential,
                etag == null ? Map.of() : Map.of("If-None-Match", etag));
    }

    @Test
    void stateHasStrongEtagsAndLongPollsWakeOnChanges() throws Exception {
        Enrolled h = enroll("db1.example.com", "labels", List.of("db"), "mode", "exclusive");
        Api.Resp s1 = state(h.credential(), null, 0);
        assertEquals(200, s1.status(), s1.toString());
        String etag = s1.header("ETag");
        assertTrue(etag.matches("\"[0-9a-f]{40}\""), etag);
        assertEquals("exclusive", s1.json().get("mode").asText());
        assertEquals("/api/v1/krl", s1.json().get("krl").get("url").asText());
        assertEquals(1, s1.json().get("trust").get("user_ca_keys").size());
        assertEquals(304, state(h.credential(), etag, 0).status());
        assertEquals(304, state(h.credential(), "W/\"x\", " + etag, 0).status());

        // no change: the long poll ends after its wait with 304
        long t0 = System.nanoTime();
        assertEquals(304, state(h.credential(), etag, 1).status());
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 900);

        // a key for the host's label wakes the poll
        String key = SshKeyLines.ed25519("dba");
        CompletableFuture<Api.Resp> poll = CompletableFuture.supplyAsync(() -> state(h.credential(), etag, 20));
        Thread.sleep(500);
        t0 = System.nanoTime();
        Api.Resp added = api.post("/api/v1/authorized-keys", admin, Map.of("account", "postgres", "host_label", "db",
                "public_key", key, "comment", "dba on-call", "options", List.of("from=\"10.0.0.0/8\"", "no-pty"),
                "expires_at", "2099-01-01T00:00:00Z"));
        assertEquals(201, added.status(), added.toString());
        Api.Resp woke = poll.get();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, woke.status(), woke.toString());
        assertTrue(ms < 1000, "woke after " + ms + " ms");
        JsonNode k = woke.json().get("accounts").get("postgres").get("keys").get(0);
        assertEquals(key.substring(0, key.lastIndexOf(' ')), k.get("key").asText());
        assertEquals("dba on-call", k.get("comment").asText());
        assertEquals("from=\"10.0.0.0/8\"", k.get("options").get(0).asText());
        assertEquals("2099-01-01T00:00:00Z", k.get("expires_at").asText());
        String etag2 = woke.header("ETag");
        assertNotEquals(etag, etag2);

        // a revocation (through the existing route: it only bumps the KRL version) wakes it within a second
        long krlBefore = woke.json().get("krl").get("version").asLong();
        poll = CompletableFuture.supplyAsync(() -> state(h.credential(), etag2, 20));
        Thread.sleep(500);
        t0 = System.nanoTime();
        assertEquals(201, api.post("/api/v1/revocations", admin, Map.of("public_key", key, "reason", "leaked"))
                .status());
        woke = poll.get();
        ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, woke.status(), woke.toString());
        assertTrue(ms < 1000, "woke after " + ms + " ms");
        assertTrue(woke.json().get("krl").get("version").asLong() > krlBefore);
        JsonNode postgres = woke.json().get("accounts").get("postgres");
        assertEquals(0, postgres.get("keys").size(), "a revoked key is not desired");
        assertEquals("revoked", postgres.get("purge").get(0).get("reason").asText());
        assertTrue(postgres.get("purge").get(0).get("confirmed").asBoolean());

        // exclusive mode: an account Keyward has no keys for is not listed (its own file would be emptied)
        String revokedFp = postgres.get("purge").get(0).get("fingerprint").asText();
        assertEquals(200, api.post("/api/v1/agent/inventory", h.credential(), Map.of("hash", "c".repeat(64),
                "keys", List.of(m("account", "alice", "file", "/home/alice/.ssh/authorized_keys", "line", 1,
                        "source", "user", "type", "ssh-ed25519", "bits", 256, "fingerprint", revokedFp,
                        "comment", "", "options", List.of(), "problem", "")))).status());
        JsonNode accounts = state(h.credential(), null, 0).json().get("accounts");
        assertFalse(accounts.has("alice"), accounts.toString());
        assertTrue(accounts.has("postgres"), accounts.toString());
    }

    @Test
    void deletedKeysArePurgedAndReportsAreIdempotent() {
        Enrolled h = enroll("app1.example.com");
        String key = SshKeyLines.ed25519("deploy");
        Api.Resp added = api.post("/api/v1/authorized-keys", admin, Map.of("account", "deploy",
                "host", "app1.example.com", "public_key", key));
        assertEquals(201, added.status(), added.toString());
        String fp = added.json().get("fingerprint").asText();
        Api.Resp del = api.delete("/api/v1/authorized-keys/" + added.json().get("id").asLong(), admin);
        assertEquals(200, del.status(), del.toString());
        assertEquals("deleted", del.json().get("status").asText());
        assertEquals(200, api.delete("/api/v1/authorized-keys/" + added.json().get("id").asLong(), admin).status());
        JsonNode deploy = state(h.credential(), null, 0).json().get("accounts").get("deploy");
        assertEquals(0, deploy.get("keys").size());
        assertEquals(fp, deploy.get("purge").get(0).get("fingerprint").asText());
        assertEquals("deleted", deploy.get("purge").get(0).get("reason").asText());

        // usage: stored once, acknowledged every time; a bad event is acknowledged but refused
        List<Map<String, Object>> events = new ArrayList<>();
        events.add(m("id", "ev-1", "time", "2026-11-29T10:00:00Z", "account", "deploy", "fingerprint", fp,
                "key_type", "ED25519", "source_ip", "10.0.0.7", "source_port", 5000, "kind", "accepted",
                "detail", ""));
        events.add(m("id", "ev-2", "time", "2026-11-29T11:00:00Z", "account", "deploy", "fingerprint", fp,
                "key_type", "ED25519-CERT", "cert_serial", "18446744073709551615", "key_id", "deploy-1",
                "ca_fingerprint", fp, "source_ip", "10.0.0.8", "kind", "accepted", "detail", ""));
        events.add(m("id", "ev-3", "time", "yesterday", "account", "deploy", "fingerprint", fp,
                "source_ip", "10.0.0.7", "kind", "accepted", "detail", ""));
        Api.Resp u1 = api.post("/api/v1/agent/usage", h.credential(), Map.of("events", events));
        assertEquals(200, u1.status(), u1.toString());
        assertEquals(List.of("ev-1", "ev-2", "ev-3"), texts(u1.json().get("acknowledged")));
        assertEquals(2, u1.json().get("stored").asInt());
        assertEquals("ev-3", u1.json().get("rejected").get(0).get("id").asText());
        Api.Resp u2 = api.post("/api/v1/agent/usage", h.credential(), Map.of("events", events));
        assertEquals(List.of("ev-1", "ev-2", "ev-3"), texts(u2.json().get("acknowledged")));
        assertEquals(0, u2.json().get("stored").asInt());
        // the agent's default batch (500 events) is far over the 64 KiB of ordinary bodies
        List<Map<String, Object>> big = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            big.add(m("id", "bulk-" + i, "time", "2026-11-29T09:00:00Z", "account", "deploy", "fingerprint", fp,
                    "key_type", "ED25519", "source_ip", "10.0.0.7", "source_port", 40000 + i, "kind", "accepted",
                    "detail", ""));
        }
        Api.Resp bulk = api.post("/api/v1/agent/usage", h.credential(), Map.of("events", big));
        assertEquals(200, bulk.status(), bulk.toString());
        assertEquals(600, bulk.json().get("stored").asInt());
        // an event without an id cannot be acknowledged: it is refused on its own, never failing its batch
        Api.Resp noId = api.post("/api/v1/agent/usage", h.credential(),
                Map.of("events", List.of(Map.of("time", "2026-11-29T10:00:00Z"))));
        assertEquals(200, noId.status(), noId.toString());
        assertEquals(0, noId.json().get("acknowledged").size(), noId.toString());
        assertEquals(0, noId.json().get("rejected").get(0).get("index").asInt(), noId.toString());
        assertFalse(noId.json().get("rejected").get(0).has("id"), noId.toString());

        // inventory: the same hash twice changes nothing (one audit entry)
        Map<String, Object> inv = Map.of("hash", "a".repeat(64), "keys", List.of(Map.of("account", "deploy",
                "file", "/home/deploy/.ssh/authorized_keys", "line", 1, "source", "user", "type", "ssh-rsa",
                "bits", 1024, "fingerprint", fp, "comment", "old laptop", "options", List.of(), "problem", "weak")));
        for (int i = 0; i < 2; i++) {
            Api.Resp r = api.post("/api/v1/agent/inventory", h.credential(), inv);
            assertEquals(200, r.status(), r.toString());
            assertEquals("a".repeat(64), r.json().get("hash").asText());
        }
        Api.Resp audit = api.get("/api/v1/audit?action=host.inventory&subject=host:"
                + h.response().get("host_id").asText(), admin);
        assertEquals(1, audit.json().get("items").size(), audit.toString());

        Api.Resp keys = api.get("/api/v1/keys", admin);
        assertEquals(200, keys.status(), keys.toString());
        JsonNode entry = null;
        for (JsonNode e : keys.json().get("items")) {
            if (e.get("fingerprint").asText().equals(fp)) {
                entry = e;
            }
        }
        assertNotNull(entry, keys.toString());
        assertEquals("2026-11-29T10:00:00Z", entry.get("last_used_at").asText());
        assertTrue(texts(entry.get("flags")).contains("weak"), entry.toString());
        JsonNode cert = keys.json().get("certificates").get(0);
        assertEquals("deploy-1", cert.get("key_id").asText());
        assertEquals("app1.example.com", cert.get("host").asText());
        assertEquals(200, api.get("/api/v1/keys?unused_days=1&old_days=1", server.token("auditor", "al")).status());
    }

    @Test
    void keysUnusedLongerThanPolicyAllowsArePurgedUnconfirmedAndFlagged() {
        Enrolled h = enroll("app2.example.com");
        String used = "SHA256:" + "U".repeat(43);
        String idle = "SHA256:" + "I".repeat(43);
        List<Map<String, Object>> keys = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            keys.add(m("account", "alice", "file", "/home/alice/.ssh/authorized_keys", "line", i + 1, "source", "user",
                    "type", "ssh-ed25519", "bits", 256, "fingerprint", i == 0 ? used : idle, "comment", "k" + i,
                    "options", List.of(), "problem", ""));
        }
        assertEquals(200, api.post("/api/v1/agent/inventory", h.credential(), Map.of("hash", "b".repeat(64),
                "keys", keys)).status());
        // both keys were first seen 100 days ago; one was used yesterday
        server.server().database().dsl().execute("UPDATE key_first_seen SET first_seen_at = now() - interval '100 days'"
                + " WHERE fingerprint IN ('" + used + "', '" + idle + "')");
        String yesterday = java.time.Instant.now().minus(java.time.Duration.ofDays(1))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        assertEquals(200, api.post("/api/v1/agent/usage", h.credential(), Map.of("events", List.of(m("id", "u-1",
                "time", yesterday, "account", "alice", "fingerprint", used, "key_type", "ED25519",
                "source_ip", "10.0.0.9", "kind", "accepted", "detail", "")))).status());

        JsonNode purge = state(h.credential(), null, 0).json().get("accounts").get("alice").get("purge");
        assertEquals(1, purge.size(), purge.toString());
        assertEquals(idle, purge.get(0).get("fingerprint").asText());
        assertEquals("unused", purge.get(0).get("reason").asText());
        assertFalse(purge.get(0).get("confirmed").asBoolean(), "policy purges are subject to the bulk guard");

        JsonNode items = api.get("/api/v1/keys?old_days=50", admin).json().get("items");
        for (JsonNode e : items) {
            if (e.get("fingerprint").asText().equals(idle)) {
                assertEquals(List.of("unused", "old"), texts(e.get("flags")));
            } else if (e.get("fingerprint").asText().equals(used)) {
                assertEquals(List.of("old"), texts(e.get("flags")));
                assertEquals(yesterday, e.get("last_used_at").asText());
            }
        }
    }

    static Map<String, Object> m(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<String> texts(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }
}
