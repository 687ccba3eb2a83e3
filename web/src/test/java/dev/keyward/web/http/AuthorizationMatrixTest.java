package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.auth.Role;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of the route table × every role, no token, an expired, a revoked, a malformed and an unknown token,
 * and a JWT that no configured issuer accepts. Walking the server's own table means a new route is covered
 * without editing this test.
 */
class AuthorizationMatrixTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Api api;
    static final Map<Role, String> TOKENS = new EnumMap<>(Role.class);
    static final Map<String, String> BAD = new LinkedHashMap<>();
    static final AtomicInteger N = new AtomicInteger();
    /** h1's enrolled host key; its private key signs credential-renewal challenges. */
    static Path hostKey;
    static String HOST_KEY;

    @BeforeAll
    static void start() throws Exception {
        // every route with every bad token from one address: far more refused credentials than the per-source
        // limit allows (RateLimitsTest covers that limit), and the issuing routes more often than a caller may
        server = TestServer.startWithHttp(dir.resolve("home"), TestDatabases.create(),
                "limits:\n  auth_failures_per_source: off\n  issue_per_caller: off\n  issue_per_source: off\n"
                        + "  enroll_per_source: off\n");
        api = server.api();
        TOKENS.put(Role.ADMIN, server.adminToken());
        TOKENS.put(Role.ENGINEER, server.token("engineer", "erin"));
        TOKENS.put(Role.AUDITOR, server.token("auditor", "audrey"));
        hostKey = dev.keyward.ca.testing.Cmd.sshKeygen(dir, "h1_host_ed25519_key", "ed25519", 0);
        HOST_KEY = Files.readString(Path.of(hostKey + ".pub")).strip();
        // the host credential comes from enrollment: agent routes need a token bound to an enrolled host
        Api.Resp host = api.post("/api/v1/hosts", server.adminToken(), Map.of("hostname", "h1.example.com"));
        assertEquals(201, host.status(), host.toString());
        Api.Resp enrolled = api.post("/api/v1/hosts/enroll", null, Map.of("join_token",
                host.json().get("join_token").asText(), "host_keys", List.of(HOST_KEY)));
        assertEquals(200, enrolled.status(), enrolled.toString());
        TOKENS.put(Role.HOST, enrolled.json().get("credential").asText());
        Api.Resp expiring = api.post("/api/v1/tokens", server.adminToken(),
                Map.of("name", "exp", "role", "admin", "ttl", "1s"));
        Api.Resp revoked = api.post("/api/v1/tokens", server.adminToken(),
                Map.of("name", "rev", "role", "admin", "ttl", "1h"));
        assertEquals(200, api.delete("/api/v1/tokens/" + revoked.json().get("id").asLong(), server.adminToken()).status());
        BAD.put("no token", null);
        BAD.put("expired admin token", expiring.json().get("token").asText());
        BAD.put("revoked admin token", revoked.json().get("token").asText());
        BAD.put("malformed token", "kwt_short");
        BAD.put("unknown token", "kwt_" + "A".repeat(43));
        BAD.put("JWT from an issuer nobody configured", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2V2aWwifQ.c2ln");
        Thread.sleep(1100); // let the 1 s token expire
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A concrete request for {@code route} that an allowed caller can complete. */
    private static Api.Resp call(Route route, String token) throws Exception {
        String path = route.path();
        if (path.startsWith("/api/v1/ca/keys")) {
            return caKeyCall(route, token);
        }
        if (path.contains("{serial}")) {
            path = path.replace("{serial}", Long.toString(issueOne()));
        }
        if (path.contains("/hosts/{id}/")) {
            Api.Resp h = api.post("/api/v1/hosts", server.adminToken(), Map.of("hostname", "j" + N.incrementAndGet()));
            assertEquals(201, h.status(), h.toString());
            path = path.replace("{id}", Long.toString(h.json().get("id").asLong()));
        }
        if (path.contains("/authorized-keys/{id}")) {
            Api.Resp k = api.post("/api/v1/authorized-keys", server.adminToken(), Map.of("account", "svc",
                    "host", "h1.example.com", "public_key", SshKeyLines.ed25519("victim")));
            assertEquals(201, k.status(), k.toString());
            path = path.replace("{id}", Long.toString(k.json().get("id").asLong()));
        }
        if (path.contains("{id}")) {
            Api.Resp victim = api.post("/api/v1/tokens", server.adminToken(),
                    Map.of("name", "victim", "role", "auditor", "ttl", "1h"));
            path = path.replace("{id}", Long.toString(victim.json().get("id").asLong()));
        }
        return switch (route.method()) {
            case "GET" -> api.get(path, token);
            case "DELETE" -> api.delete(path, token);
            default -> {
                Map<String, Object> b = body(route, token);
                yield b == null ? api.send("POST", path, token, HttpRequest.BodyPublishers.noBody())
                        : api.post(path, token, b);
            }
        };
    }

    /**
     * The CA key routes: rotation rotates the host CA (once, as admin); the steps on one key act on a pending user
     * key made for the call (activation forced: the matrix's host never reports a trust bundle).
     */
    private static Api.Resp caKeyCall(Route route, String token) {
        String path = route.path();
        if (route.method().equals("GET")) {
            return api.get(path, token);
        }
        if (!path.contains("{id}")) {
            return api.post(path, token, Map.of("purpose", "host"));
        }
        path = path.replace("{id}", Long.toString(pendingUserKey(api, server.adminToken())));
        return api.post(path, token, path.endsWith("/revoke") ? Map.of("purpose", "user", "reason", "matrix")
                : Map.of("purpose", "user", "force", true));
    }

    /** The pending user CA key, rotated for the purpose if there is none. */
    static long pendingUserKey(Api api, String admin) {
        for (com.fasterxml.jackson.databind.JsonNode k : api.get("/api/v1/ca/keys", admin).json().get("keys")) {
            if (k.get("purpose").asText().equals("user") && k.get("state").asText().equals("pending")) {
                return k.get("id").asLong();
            }
        }
        Api.Resp r = api.post("/api/v1/ca/keys", admin, Map.of("purpose", "user"));
        assertEquals(201, r.status(), r.toString());
        return r.json().get("id").asLong();
    }

    private static Map<String, Object> body(Route route, String token) throws Exception {
        String p = route.path();
        int n = N.incrementAndGet();
        if (p.endsWith("/certs/user")) {
            return Map.of("public_key", Files.readString(TestKeys.publicKeyFile(dir, "k" + n, "ed25519")));
        }
        if (p.endsWith("/certs/host")) {
            return Map.of("public_key", HOST_KEY); // the host credential certifies only its enrolled keys
        }
        if (p.endsWith("/revoke")) {
            return Map.of("reason", "matrix");
        }
        if (p.endsWith("/revocations")) {
            return Map.of("key_id", "matrix-" + n, "reason", "matrix");
        }
        if (p.endsWith("/tokens")) {
            return Map.of("name", "m" + n, "role", "auditor", "ttl", "1h");
        }
        if (p.endsWith("/join-token") || p.endsWith("/credential/challenge")) {
            return null;
        }
        if (p.endsWith("/hosts")) {
            return Map.of("hostname", "m" + n + ".example.com");
        }
        if (p.endsWith("/hosts/enroll")) {
            Api.Resp h = api.post("/api/v1/hosts", server.adminToken(), Map.of("hostname", "e" + n + ".example.com"));
            assertEquals(201, h.status(), h.toString());
            return Map.of("join_token", h.json().get("join_token").asText(), "hostname", "e" + n,
                    "host_keys", List.of(SshKeyLines.ed25519("e" + n)));
        }
        if (p.endsWith("/agent/host-certs")) {
            return Map.of("host_keys", List.of(HOST_KEY));
        }
        if (p.endsWith("/agent/credential")) {
            // a challenge of h1's (asked with its credential whoever calls), signed with h1's host key
            Api.Resp c = api.post(p + "/challenge", TOKENS.get(Role.HOST), Map.of());
            assertEquals(200, c.status(), c.toString());
            String challenge = c.json().get("challenge").asText();
            String sig = dev.keyward.ca.testing.Cmd.run(List.of("ssh-keygen", "-Y", "sign", "-f", hostKey.toString(),
                    "-n", dev.keyward.web.service.HostCredentialService.NAMESPACE), null, Map.of(), challenge)
                    .orThrow().stdout();
            return Map.of("challenge", challenge, "host_key", HOST_KEY, "signature", sig);
        }
        if (p.endsWith("/agent/usage")) {
            return Map.of("events", List.of(Map.of("id", "m" + n, "time", "2026-11-29T10:00:00Z", "account", "root",
                    "fingerprint", "SHA256:" + "A".repeat(43), "key_type", "ED25519", "source_ip", "10.0.0.1",
                    "kind", "accepted", "detail", "")));
        }
        if (p.endsWith("/agent/inventory")) {
            return Map.of("hash", String.format("%064x", n), "keys", List.of());
        }
        if (p.endsWith("/agent/status")) {
            return Map.of("usage_source", "none", "usage_detail", "matrix");
        }
        if (p.endsWith("/authorized-keys")) {
            return Map.of("account", "svc", "host", "h1.example.com", "public_key", SshKeyLines.ed25519("m" + n));
        }
        throw new AssertionError("no body for " + route.method() + " " + p);
    }

    private static long issueOne() throws Exception {
        Api.Resp r = api.post("/api/v1/certs/user", TOKENS.get(Role.ENGINEER),
                Map.of("public_key", Files.readString(TestKeys.publicKeyFile(dir, "s" + N.incrementAndGet(), "ed25519"))));
        assertEquals(201, r.status(), r.toString());
        return r.json().get("serial").asLong();
    }

    @Test
    void everyRouteTimesEveryCaller() throws Exception {
        List<Route> routes = server.server().routes();
        assertTrue(routes.size() >= 28, "route table: " + routes.size());
        List<String> failures = new ArrayList<>();
        for (Route route : routes) {
            String name = route.method() + " " + route.path();
            for (Role role : Role.values()) {
                Api.Resp r = call(route, TOKENS.get(role));
                boolean allowed = route.isPublic() || route.roles().contains(role);
                if (allowed && (r.status() == 401 || r.status() == 403 || r.status() >= 500)) {
                    failures.add(name + " as " + role + ": expected success, got " + r);
                } else if (!allowed && r.status() != 403) {
                    failures.add(name + " as " + role + ": expected 403, got " + r);
                }
                if (allowed && r.status() >= 400) {
                    failures.add(name + " as " + role + ": allowed caller failed: " + r);
                }
            }
            for (Map.Entry<String, String> bad : BAD.entrySet()) {
                Api.Resp r = call(route, bad.getValue());
                if (route.isPublic()) {
                    if (r.status() >= 400) {
                        failures.add(name + " with " + bad.getKey() + ": public route failed: " + r);
                    }
                } else if (r.status() != 401) {
                    failures.add(name + " with " + bad.getKey() + ": expected 401, got " + r);
                } else {
                    assertTrue(r.contentType().startsWith("application/problem+json"), name);
                    assertNotNull(r.header("WWW-Authenticate"), name);
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void forbiddenSaysWhichRoleIsNeeded() {
        Api.Resp r = api.get("/api/v1/audit", TOKENS.get(Role.ENGINEER));
        assertEquals(403, r.status());
        assertTrue(r.json().get("detail").asText().contains("admin or auditor"), r.toString());
    }

    @Test
    void authorizationHeaderMustBeBearer() {
        Api.Resp r = api.send("GET", "/api/v1/audit", null, HttpRequest.BodyPublishers.noBody());
        assertEquals(401, r.status());
        assertNotEquals(null, r.json().get("detail"));
    }
}
