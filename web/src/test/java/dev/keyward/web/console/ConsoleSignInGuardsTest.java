package dev.keyward.web.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's sign-in against the real server, over plain HTTP (no page needs a browser here): refused sign-ins
 * spend {@code http.limits.auth_failures_per_source} like refused API credentials; sign-ins, refusals and sign-outs
 * are in the audit log (and no token or session ID is, nor in a log line); {@code console.public_url} is the origin
 * the same-origin check compares against.
 */
class ConsoleSignInGuardsTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @TempDir
    Path dir;

    private static HttpResponse<String> signIn(ConsoleHttp http, String token, Map<String, String> headers) {
        return http.request("POST", "/login", headers, "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> signIn(ConsoleHttp http, String token) {
        return signIn(http, token, Map.of());
    }

    /** The {@code name=value} of the session cookie a sign-in set. */
    private static String sessionCookie(HttpResponse<String> signedIn) {
        return signedIn.headers().allValues("Set-Cookie").stream().filter(c -> c.contains("keyward_console="))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie: " + signedIn.headers()))
                .split(";", 2)[0];
    }

    /** Creates a token through the API; returns its secret and ID. */
    private static JsonNode createToken(TestServer s, String role, String username, String... principals) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", role + "-" + username, "role", role,
                "username", username, "ttl", "1d"));
        if (principals.length > 0) {
            body.put("principals", List.of(principals));
        }
        Api.Resp r = s.api().post("/api/v1/tokens", s.adminToken(), body);
        assertEquals(201, r.status(), r.toString());
        return r.json();
    }

    @Test
    void refusedSignInsSpendTheAddressBudgetThenEvenAGoodTokenGets429UntilItRefills() throws Exception {
        // one refused credential back every 10 s, at most 4 saved up
        try (TestServer s = TestServer.startWithHttp(dir.resolve("home"), TestDatabases.create(),
                "limits:\n  auth_failures_per_source: {rate: 6/m, burst: 4}\n")) {
            String admin = s.adminToken();
            JsonNode revoked = createToken(s, "auditor", "audrey");
            Api.Resp revoke = s.api().delete("/api/v1/tokens/" + revoked.get("id").asLong(), admin);
            assertTrue(revoke.status() / 100 == 2, revoke.toString());
            String engineer = createToken(s, "engineer", "alice").get("token").asText();
            String host = createToken(s, "host", "web1", "web1.example.com").get("token").asText();
            ConsoleHttp http = new ConsoleHttp(s.port());

            assertEquals(401, signIn(http, "kwt_" + "C".repeat(43)).statusCode(), "an unknown token");
            assertEquals(401, signIn(http, revoked.get("token").asText()).statusCode(), "a revoked token");
            assertEquals(403, signIn(http, engineer).statusCode(), "an engineer's token");
            assertEquals(403, signIn(http, host).statusCode(), "a host's token");

            HttpResponse<String> refused = signIn(http, admin);
            assertEquals(429, refused.statusCode(), refused.body());
            assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("text/html"),
                    refused.headers().toString());
            assertTrue(refused.body().contains("too many refused credentials from 127.0.0.1")
                    && refused.body().contains("http.limits.auth_failures_per_source"), refused.body());
            long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 10, "Retry-After: " + retryAfter);
            assertTrue(refused.headers().firstValue("Set-Cookie").isEmpty(), "no session for a refused address");
            // the API and the console spend one budget
            Api.Resp api = s.api().get("/api/v1/certs", admin);
            assertEquals(429, api.status(), api.toString());
            assertTrue(api.json().get("detail").asText().contains("http.limits.auth_failures_per_source"), api.toString());

            Thread.sleep(retryAfter * 1000 + 500); // bounded: at most 10.5 s
            HttpResponse<String> again = signIn(http, admin);
            assertEquals(303, again.statusCode(), "after the window refilled: " + again.body());
            assertEquals("/", again.headers().firstValue("Location").orElse(""));
            assertEquals(4, s.api().get("/api/v1/audit?action=console.sign_in_refused", admin).json().get("items")
                    .size(), "the 429s are not audited: the budget bounds what one address adds to the log");
        }
    }

    @Test
    void signInsRefusalsAndSignOutsAreAuditedWithoutAnySecret() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> secrets = new ArrayList<>();
        try (TestServer s = TestServer.start(dir.resolve("home"), TestDatabases.create())) {
            String admin = s.adminToken();
            JsonNode engineerToken = createToken(s, "engineer", "alice");
            String engineer = engineerToken.get("token").asText();
            String unknown = "kwt_" + "D".repeat(43);
            secrets.addAll(List.of(admin, engineer, unknown));
            ConsoleHttp http = new ConsoleHttp(s.port());
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));

            HttpResponse<String> in = signIn(http, admin);
            assertEquals(303, in.statusCode(), in.body());
            String cookie = sessionCookie(in);
            secrets.add(cookie.substring(cookie.indexOf('=') + 1));
            HttpResponse<String> overview = http.request("GET", "/", Map.of("Cookie", cookie), null);
            Matcher csrf = CSRF.matcher(overview.body());
            assertTrue(csrf.find(), overview.body());
            secrets.add(csrf.group(1));
            HttpResponse<String> out = http.request("POST", "/logout", Map.of("Cookie", cookie),
                    "csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8));
            assertEquals(303, out.statusCode(), out.body());
            assertEquals(401, signIn(http, unknown).statusCode());
            assertEquals(403, signIn(http, engineer).statusCode());
            assertEquals(400, signIn(http, " ").statusCode());
            System.setErr(old);

            JsonNode signedIn = only(s, "console.sign_in");
            assertTrue(signedIn.get("actor").asText().startsWith("token:"), signedIn.toString());
            assertEquals("console", signedIn.get("subject").asText());
            JsonNode d = signedIn.get("details");
            assertEquals("token", d.get("method").asText(), d.toString());
            assertEquals("admin", d.get("role").asText(), d.toString());
            assertEquals("127.0.0.1", d.get("source").asText(), d.toString());
            assertTrue(d.get("token_id").asLong() > 0, d.toString());

            JsonNode signedOut = only(s, "console.sign_out");
            assertEquals(signedIn.get("actor").asText(), signedOut.get("actor").asText());
            assertEquals("127.0.0.1", signedOut.get("details").get("source").asText());

            JsonNode refused = s.api().get("/api/v1/audit?action=console.sign_in_refused", admin).json().get("items");
            assertEquals(3, refused.size(), refused.toString());
            // newest first: the blank form, the engineer, the unknown token
            assertEquals("anonymous", refused.get(0).get("actor").asText());
            assertEquals("no token was given", refused.get(0).get("details").get("reason").asText());
            JsonNode eng = refused.get(1);
            assertTrue(eng.get("actor").asText().endsWith(":alice"), eng.toString());
            assertTrue(eng.get("details").get("reason").asText().startsWith("the console is for admins and auditors"),
                    eng.toString());
            assertEquals(engineerToken.get("id").asLong(), eng.get("details").get("token_id").asLong());
            JsonNode bad = refused.get(2);
            assertEquals("anonymous", bad.get("actor").asText());
            assertEquals("token", bad.get("details").get("method").asText());
            assertEquals("the API token is not known", bad.get("details").get("reason").asText());
            assertEquals("127.0.0.1", bad.get("details").get("source").asText());

            JsonNode verify = s.api().get("/api/v1/audit/verify", admin).json();
            assertTrue(verify.get("ok").asBoolean(), verify.toString());
            String log = s.api().get("/api/v1/audit?limit=500", admin).body();
            String lines = err.toString(StandardCharsets.UTF_8);
            assertTrue(lines.contains("Console sign-in (token) refused from 127.0.0.1: the API token is not known"),
                    "the sign-in lines are logged (and so checked below): " + lines);
            for (String secret : secrets) {
                assertFalse(log.contains(secret), "a secret in the audit log: " + secret.substring(0, 6) + "...");
                assertFalse(lines.contains(secret), "a secret in a log line: " + secret.substring(0, 6) + "...");
            }
        } finally {
            System.setErr(old);
            old.print(err.toString(StandardCharsets.UTF_8));
        }
    }

    private static JsonNode only(TestServer s, String action) {
        JsonNode items = s.api().get("/api/v1/audit?action=" + action, s.adminToken()).json().get("items");
        assertEquals(1, items.size(), items.toString());
        return items.get(0);
    }

    @Test
    void withAPublicUrlTheOriginIsComparedAgainstItNotTheHostHeader() {
        try (TestServer s = TestServer.start(dir.resolve("home"), TestDatabases.create(),
                "console:\n  public_url: \"HTTPS://Keyward.Example.com:443/\"\n")) {
            ConsoleHttp http = new ConsoleHttp(s.port());
            String unknown = "kwt_" + "E".repeat(43);
            // behind the proxy the browser's origin is the public one, whatever Host the proxy sends on
            HttpResponse<String> r = signIn(http, unknown, Map.of("Origin", "https://keyward.example.com"));
            assertEquals(401, r.statusCode(), "past the same-origin check: " + r.body());
            r = signIn(http, unknown, Map.of("Origin", http.base()));
            assertEquals(403, r.statusCode(), "the request's own Host is not the console's origin: " + r.body());
            assertTrue(r.body().contains("the request came from another origin"), r.body());
            r = signIn(http, s.adminToken(), Map.of("Origin", "https://keyward.example.com", "Sec-Fetch-Site",
                    "same-origin"));
            assertEquals(303, r.statusCode(), r.body());
            String set = r.headers().allValues("Set-Cookie").toString();
            assertTrue(set.contains("__Host-keyward_console=") && set.contains("Secure"),
                    "the browser speaks HTTPS to the proxy: " + set);
        }
    }
}
