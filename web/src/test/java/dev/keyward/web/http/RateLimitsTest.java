package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rate limits of http.limits against the real server: 429 problem+json with Retry-After once a budget is spent,
 * per caller, per client address (also behind a trusted proxy) and for refused credentials. Small budgets refilling
 * once a minute, so nothing refills during a test.
 */
class RateLimitsTest {
    @TempDir
    Path dir;

    private TestServer start(String limits) {
        return TestServer.startWithHttp(dir.resolve("home"), TestDatabases.create(), "limits:\n" + limits.indent(2));
    }

    private static Api.Resp issue(TestServer s, String token, String name) {
        return s.api().post("/api/v1/certs/user", token, Map.of("public_key", SshKeyLines.ed25519(name)));
    }

    static void assertTooMany(Api.Resp r, String detailPart) {
        assertEquals(429, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertEquals(429, r.json().get("status").asInt());
        assertEquals("Too Many Requests", r.json().get("title").asText());
        assertTrue(r.json().get("detail").asText().contains(detailPart), r.toString());
        String retryAfter = r.header("Retry-After");
        assertTrue(retryAfter != null && retryAfter.matches("[1-9][0-9]*"), "Retry-After: " + retryAfter);
        assertTrue(Long.parseLong(retryAfter) <= 60, "Retry-After: " + retryAfter);
    }

    @Test
    void aBurstOnCertsUserWithOneTokenGets429AfterTheBurstWhileAnotherTokenIsUnaffected() {
        try (TestServer s = start("""
                issue_per_caller: {rate: 1/m, burst: 3}
                issue_per_source: {rate: 1/m, burst: 50}
                """)) {
            String alice = s.token("engineer", "alice");
            String bob = s.token("engineer", "bob");
            for (int i = 0; i < 3; i++) {
                assertEquals(201, issue(s, alice, "a" + i).status());
            }
            Api.Resp refused = issue(s, alice, "a3");
            assertTooMany(refused, "http.limits.issue_per_caller");
            assertEquals(201, issue(s, bob, "b0").status(), "another token has its own budget");
            assertTooMany(issue(s, alice, "a4"), "issue_per_caller");
            String metrics = s.api().get("/metrics", null).body();
            assertTrue(metrics.contains("keyward_http_rate_limited_total{key=\"caller\",route=\"/api/v1/certs/user\"} 2.0"),
                    metrics.lines().filter(l -> l.contains("rate_limited")).toList().toString());
        }
    }

    @Test
    void enrollFromOneAddressGets429AfterItsBurst() {
        try (TestServer s = start("enroll_per_source: {rate: 1/m, burst: 2}\n")) {
            Map<String, Object> body = Map.of("join_token", "kwj_" + "A".repeat(43),
                    "host_keys", java.util.List.of(SshKeyLines.ed25519("h")));
            for (int i = 0; i < 2; i++) {
                assertEquals(401, s.api().post("/api/v1/hosts/enroll", null, body).status());
            }
            Api.Resp refused = s.api().post("/api/v1/hosts/enroll", null, body);
            assertTooMany(refused, "http.limits.enroll_per_source");
            assertEquals(refused.json().get("detail").asText(), refused.json().get("error").asText(),
                    "the agent protocol's error member");
        }
    }

    @Test
    void behindATrustedProxyTheForwardedClientIsCountedAndCannotBeSpoofedByPrepending() {
        try (TestServer s = start("""
                trusted_proxies: [127.0.0.1]
                issue_per_caller: off
                issue_per_source: {rate: 1/m, burst: 2}
                """)) {
            String alice = s.token("engineer", "alice");
            Map<String, String> fromA = Map.of("X-Forwarded-For", "10.0.0.1");
            for (int i = 0; i < 2; i++) {
                assertEquals(201, s.api().post("/api/v1/certs/user", alice,
                        Map.of("public_key", SshKeyLines.ed25519("x" + i)), fromA).status());
            }
            assertTooMany(s.api().post("/api/v1/certs/user", alice, Map.of("public_key", SshKeyLines.ed25519("x2")),
                    fromA), "from 10.0.0.1");
            // what the client wrote left of the proxy's entry is not trusted
            assertTooMany(s.api().post("/api/v1/certs/user", alice, Map.of("public_key", SshKeyLines.ed25519("x3")),
                    Map.of("X-Forwarded-For", "10.0.0.9, 10.0.0.1")), "from 10.0.0.1");
            assertEquals(201, s.api().post("/api/v1/certs/user", alice, Map.of("public_key", SshKeyLines.ed25519("y")),
                    Map.of("X-Forwarded-For", "10.0.0.2")).status(), "another client behind the proxy");
        }
    }

    @Test
    void refusedCredentialsFromOneAddressLeadTo429() {
        try (TestServer s = start("auth_failures_per_source: {rate: 1/m, burst: 3}\n")) {
            String admin = s.adminToken();
            for (int i = 0; i < 3; i++) {
                assertEquals(401, s.api().get("/api/v1/certs", "kwt_" + "B".repeat(43)).status());
            }
            assertTooMany(s.api().get("/api/v1/certs", admin), "http.limits.auth_failures_per_source");
            assertEquals(200, s.api().get("/healthz", null).status(), "public routes are not limited");
        }
    }
}
