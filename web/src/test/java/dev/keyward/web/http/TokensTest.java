package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.web.auth.ApiTokenSecrets;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {
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

    @Test
    void bootstrapAdminTokenIsWrittenOwnerOnly() throws Exception {
        Path f = server.home().resolve("admin-token");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertTrue(ApiTokenSecrets.looksLikeToken(admin));
        assertEquals(200, api.get("/api/v1/tokens", admin).status());
    }

    @Test
    void createdTokenIsShownOnceStoredOnlyAsAHashAndWorks() throws Exception {
        Api.Resp r = api.post("/api/v1/tokens", admin, Map.of("name", "ci", "role", "auditor", "ttl", "2h"));
        assertEquals(201, r.status(), r.toString());
        assertEquals("no-store", r.header("Cache-Control"));
        String secret = r.json().get("token").asText();
        assertTrue(ApiTokenSecrets.looksLikeToken(secret), secret);
        long id = r.json().get("id").asLong();
        assertEquals("ci", r.json().get("username").asText());

        JsonNode list = api.get("/api/v1/tokens", admin).json();
        assertFalse(list.toString().contains(secret), "the list must not show secrets");
        boolean found = false;
        for (JsonNode t : list.get("items")) {
            if (t.get("id").asLong() == id) {
                found = true;
                assertEquals("auditor", t.get("role").asText());
                assertEquals("active", t.get("status").asText());
            }
        }
        assertTrue(found);
        try (Connection c = server.db().connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT token_hash FROM api_tokens WHERE id = " + id)) {
            rs.next();
            assertEquals(ApiTokenSecrets.hash(secret), rs.getString(1));
        }
        assertEquals(200, api.get("/api/v1/audit", secret).status());
    }

    @Test
    void revokedTokenIsRefused() {
        Api.Resp r = api.post("/api/v1/tokens", admin, Map.of("name", "temp", "role", "auditor", "ttl", "1h"));
        String secret = r.json().get("token").asText();
        long id = r.json().get("id").asLong();
        assertEquals(200, api.get("/api/v1/audit", secret).status());
        Api.Resp del = api.delete("/api/v1/tokens/" + id, admin);
        assertEquals(200, del.status(), del.toString());
        assertEquals("revoked", del.json().get("status").asText());
        Api.Resp refused = api.get("/api/v1/audit", secret);
        assertEquals(401, refused.status());
        assertTrue(refused.json().get("detail").asText().contains("revoked"), refused.toString());
        assertEquals(404, api.delete("/api/v1/tokens/987654", admin).status());
        assertEquals(400, api.delete("/api/v1/tokens/abc", admin).status());
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        Api.Resp r = api.post("/api/v1/tokens", admin, Map.of("name", "short", "role", "auditor", "ttl", "1s"));
        String secret = r.json().get("token").asText();
        Thread.sleep(1200);
        Api.Resp refused = api.get("/api/v1/audit", secret);
        assertEquals(401, refused.status());
        assertTrue(refused.json().get("detail").asText().contains("expired"), refused.toString());
        assertTrue(api.get("/api/v1/tokens?limit=1000", admin).body().contains("\"status\":\"expired\""));
    }

    @Test
    void tokenRequestsAreValidated() {
        assertEquals(400, api.post("/api/v1/tokens", admin, Map.of("name", "x", "role", "root", "ttl", "1h")).status());
        Api.Resp noUser = api.post("/api/v1/tokens", admin, Map.of("name", "x", "role", "engineer", "ttl", "1h"));
        assertEquals(400, noUser.status());
        assertTrue(noUser.json().get("detail").asText().contains("username"), noUser.toString());
        Api.Resp noNames = api.post("/api/v1/tokens", admin, Map.of("name", "h", "role", "host", "ttl", "1h"));
        assertEquals(400, noNames.status());
        assertTrue(noNames.json().get("detail").asText().contains("principals"), noNames.toString());
        assertEquals(400, api.post("/api/v1/tokens", admin, Map.of("name", "e", "role", "engineer", "username", "e",
                "principals", List.of("x"), "ttl", "1h")).status());
        Api.Resp tooLong = api.post("/api/v1/tokens", admin, Map.of("name", "x", "role", "auditor", "ttl", "400d"));
        assertEquals(400, tooLong.status());
        assertTrue(tooLong.json().get("detail").asText().contains("tokens.max_ttl"), tooLong.toString());
        assertEquals(400, api.post("/api/v1/tokens", admin, Map.of("name", "x", "role", "auditor")).status());
        assertEquals(400, api.post("/api/v1/tokens", admin, Map.of("name", "x", "role", "auditor", "ttl", "soon")).status());
    }

    /**
     * Names that issuance would refuse are refused when the token is created (the same rule code): host-token
     * principals that ssh reads as wildcards, usernames with control, bidirectional or invisible characters.
     */
    @Test
    void namesIssuanceWouldRefuseAreRefusedAtCreation() {
        for (String principal : List.of("*", "*.example.com", "web?.example.com")) {
            Api.Resp r = api.post("/api/v1/tokens", admin, Map.of("name", "h", "role", "host",
                    "principals", List.of(principal), "ttl", "1h"));
            assertEquals(400, r.status(), principal + ": " + r);
            assertTrue(r.json().get("detail").asText().contains("wildcards"), r.toString());
        }
        for (String username : List.of("bob\u0007", "ali\u202Eecilre", "a\u200Bb", "eve\u2066x\u2069")) {
            Api.Resp r = api.post("/api/v1/tokens", admin, Map.of("name", "e", "role", "engineer",
                    "username", username, "ttl", "1h"));
            assertEquals(400, r.status(), r.toString());
            assertTrue(r.json().get("detail").asText().contains("username '"), r.toString());
            // the name is masked in the message: no control or formatting character reaches a log or a terminal
            assertTrue(r.json().get("detail").asText().chars().noneMatch(c -> Character.isISOControl(c)
                    || Character.getType(c) == Character.FORMAT), r.toString());
        }
        Api.Resp fromName = api.post("/api/v1/tokens", admin, Map.of("name", "ali\u202Eece", "role", "auditor",
                "ttl", "1h"));
        assertEquals(400, fromName.status(), fromName.toString());
        assertTrue(fromName.json().get("detail").asText().contains("give a username"), fromName.toString());
    }

    @Test
    void hostTokenCarriesItsRegisteredNames() {
        Api.Resp r = api.post("/api/v1/tokens", admin, Map.of("name", "web9", "role", "host",
                "principals", List.of("web9.example.com", "web9"), "ttl", "30d"));
        assertEquals(201, r.status(), r.toString());
        assertEquals(2, r.json().get("principals").size());
    }

    @Test
    void tokenActionsAreAudited() {
        Api.Resp r = api.post("/api/v1/tokens", admin, Map.of("name", "audited", "role", "auditor", "ttl", "1h"));
        long id = r.json().get("id").asLong();
        api.delete("/api/v1/tokens/" + id, admin);
        JsonNode entries = api.get("/api/v1/audit?subject=token:" + id, admin).json().get("items");
        assertEquals(2, entries.size());
        assertEquals("token.delete", entries.get(0).get("action").asText());
        assertEquals("token.create", entries.get(1).get("action").asText());
        assertFalse(entries.toString().contains(r.json().get("token").asText()), "no secret in the audit log");
    }

    static JsonNode listed(long id) {
        for (JsonNode t : api.get("/api/v1/tokens?limit=500", admin).json().get("items")) {
            if (t.get("id").asLong() == id) {
                return t;
            }
        }
        throw new AssertionError("token " + id + " is not listed");
    }

    static String lastUsedInDb(long id) throws Exception {
        try (Connection c = server.db().connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT last_used_at FROM api_tokens WHERE id = " + id)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void lastUseIsRecordedToTheMinuteAndShown() throws Exception {
        Api.Resp r = api.post("/api/v1/tokens", admin, Map.of("name", "usage", "role", "auditor", "ttl", "2h"));
        long id = r.json().get("id").asLong();
        String secret = r.json().get("token").asText();
        assertFalse(listed(id).has("last_used_at"), listed(id).toString()); // never used: omitted, like other nulls

        java.time.Instant before = java.time.Instant.now().minusSeconds(1);
        assertEquals(200, api.get("/api/v1/audit", secret).status());
        JsonNode t = listed(id);
        java.time.Instant used = java.time.Instant.parse(t.get("last_used_at").asText());
        assertTrue(!used.isBefore(before) && !used.isAfter(java.time.Instant.now()), t.toString());

        // further requests within the minute write nothing
        String stored = lastUsedInDb(id);
        for (int i = 0; i < 5; i++) {
            assertEquals(200, api.get("/api/v1/audit", secret).status());
        }
        assertEquals(stored, lastUsedInDb(id));

        // a refused request (revoked token) records no use
        assertEquals(200, api.delete("/api/v1/tokens/" + id, admin).status());
        try (Connection c = server.db().connect(); Statement s = c.createStatement()) {
            s.execute("UPDATE api_tokens SET last_used_at = NULL WHERE id = " + id);
        }
        assertEquals(401, api.get("/api/v1/audit", secret).status());
        assertEquals(null, lastUsedInDb(id));
    }
}
