package dev.keyward.web.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.web.testing.Chromium;
import dev.keyward.web.testing.Keycloak;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Signing in at the console through Keycloak (authorization code + PKCE, the realm's public client): a user in
 * {@code keyward-admins} gets an admin session; a user in no admin or auditor group is refused with a page that says
 * why; an answer that carries another sign-in's state is refused before any code is traded.
 */
class ConsoleOidcSignInTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    static Path home;
    static Keycloak keycloak;
    static TestServer server;
    static ConsoleBrowser browser;

    @BeforeAll
    static void start() {
        keycloak = Keycloak.shared();
        Chromium chromium = Chromium.shared();
        server = TestServer.start(home, TestDatabases.create(), oidcYaml());
        browser = new ConsoleBrowser(chromium, server.port());
    }

    private static String oidcYaml() {
        return "oidc:\n"
                + "  issuer: " + keycloak.issuer() + "\n"
                + "  audience: keyward\n"
                + "  role_groups:\n"
                + "    admin: [keyward-admins]\n"
                + "    engineer: [engineering]\n"
                + "  login:\n"
                + "    client_id: " + Keycloak.CLIENT_ID + "\n";
    }

    /** The newest audit entry with this action. */
    private static JsonNode lastAudit(TestServer s, String action) {
        JsonNode items = s.api().get("/api/v1/audit?action=" + action + "&limit=1", s.adminToken()).json()
                .get("items");
        assertEquals(1, items.size(), action + ": " + items);
        return items.get(0);
    }

    /** The redirect_uri the console sent the browser to the issuer with. */
    private static String redirectUri(HttpResponse<String> start) {
        assertEquals(303, start.statusCode(), start.body());
        String query = URI.create(start.headers().firstValue("Location").orElseThrow()).getRawQuery();
        for (String kv : query.split("&")) {
            if (kv.startsWith("redirect_uri=")) {
                return URLDecoder.decode(kv.substring("redirect_uri=".length()), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no redirect_uri in " + query);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** From the console's sign-in page through Keycloak's (login, consent) and back; returns the page text. */
    private static String signInAtKeycloak(String user) {
        WebDriver d = browser.driver();
        browser.forgetSessions();
        browser.open("/login");
        d.findElement(By.cssSelector("a[href='/login/oidc']")).click();
        new WebDriverWait(d, WAIT).until(x -> !x.findElements(By.id("username")).isEmpty());
        assertTrue(d.getCurrentUrl().startsWith(keycloak.issuer() + "/protocol/openid-connect/auth?"),
                d.getCurrentUrl());
        assertTrue(d.getCurrentUrl().contains("code_challenge_method=S256"), d.getCurrentUrl());
        d.findElement(By.id("username")).sendKeys(user);
        d.findElement(By.id("password")).sendKeys(keycloak.password());
        d.findElement(By.id("kc-login")).click();
        new WebDriverWait(d, WAIT).until(x -> x.getCurrentUrl().startsWith(browser.base())
                || !x.findElements(By.name("accept")).isEmpty());
        if (!d.getCurrentUrl().startsWith(browser.base())) {
            d.findElement(By.name("accept")).click();
        }
        new WebDriverWait(d, WAIT).until(x -> x.getCurrentUrl().startsWith(browser.base())
                && !x.findElements(By.tagName("h1")).isEmpty() && !x.getCurrentUrl().contains("/login/oidc/callback?code")
                || x.getCurrentUrl().contains("/login/oidc/callback") && !x.findElements(By.className("alert"))
                        .isEmpty());
        return browser.text();
    }

    @Test
    void anAdminSignsInThroughKeycloak() {
        String page = signInAtKeycloak("console-admin");
        new WebDriverWait(browser.driver(), WAIT).until(x -> browser.path().equals("/"));
        page = browser.text();
        assertTrue(page.contains("console-admin") && page.contains("Overview"), page);
        assertTrue(browser.text().contains("admin"), page);
        JsonNode audited = lastAudit(server, "console.sign_in");
        assertEquals("oidc:console-admin", audited.get("actor").asText(), audited.toString());
        assertEquals("oidc", audited.get("details").get("method").asText(), audited.toString());
        assertEquals("admin", audited.get("details").get("role").asText(), audited.toString());
        assertEquals("127.0.0.1", audited.get("details").get("source").asText(), audited.toString());
        browser.open("/hosts");
        assertTrue(!browser.all("form[action='/hosts']").isEmpty(), "an admin may register hosts");
    }

    @Test
    void aUserInNoAdminOrAuditorGroupIsRefused() {
        String page = signInAtKeycloak("nogroup");
        assertTrue(page.contains("No console for this identity: the console is for admins and auditors; this"
                + " identity holds no role"), page);
        assertNull(browser.sessionCookie());
        browser.open("/");
        assertEquals("/login", browser.path());
    }

    @Test
    void anAnswerWithAnotherStateIsRefused() {
        HttpResponse<String> start = browser.request("GET", "/login/oidc", Map.of(), null);
        assertEquals(303, start.statusCode(), start.body());
        URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
        assertTrue(authorize.getRawQuery().contains("nonce="), authorize.toString());
        String binding = start.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        assertTrue(start.headers().firstValue("Set-Cookie").orElseThrow().contains("SameSite=Lax"));
        HttpResponse<String> back = browser.request("GET", "/login/oidc/callback?state=" + "x".repeat(43)
                + "&code=anything", Map.of("Cookie", binding), null);
        assertEquals(401, back.statusCode(), back.body());
        assertTrue(back.body().contains("the answer carries another sign-in&#39;s state")
                || back.body().contains("the answer carries another sign-in's state"), back.body());
        // the pending sign-in was used up: the same cookie does not work twice
        back = browser.request("GET", "/login/oidc/callback?state=" + "x".repeat(43) + "&code=anything",
                Map.of("Cookie", binding), null);
        assertTrue(back.body().contains("this browser has no sign-in in progress here"), back.body());
        JsonNode audited = lastAudit(server, "console.sign_in_refused");
        assertEquals("anonymous", audited.get("actor").asText(), audited.toString());
        assertEquals("oidc", audited.get("details").get("method").asText(), audited.toString());
        assertTrue(audited.get("details").get("reason").asText().contains("no sign-in in progress"),
                audited.toString());
        assertTrue(server.api().get("/api/v1/audit/verify", server.adminToken()).json().get("ok").asBoolean());
    }

    @Test
    void withoutAPublicUrlTheRedirectUriIsBuiltOnlyFromAWellFormedHost() throws IOException {
        assertEquals(browser.base() + "/login/oidc/callback",
                redirectUri(browser.request("GET", "/login/oidc", Map.of(), null)));
        // Jetty itself refuses some Hosts ("evil.example/x", "a@b", a port over 65535); these get past it
        for (String host : new String[] {"evil.example%2fphish", "evil.example;x", "evil.example'x", "evil..example",
                "-evil.example", "a_b.example"}) {
            String answer = rawGet(server.port(), "/login/oidc", host);
            assertTrue(answer.startsWith("HTTP/1.1 400"), host + ": " + answer);
            assertTrue(answer.contains("is not a valid host[:port]") && answer.contains("console.public_url"),
                    host + ": " + answer);
        }
    }

    /** A GET with a Host header of our choosing (java.net.http will not send one), answer as text. */
    private static String rawGet(int port, String path, String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void withAPublicUrlTheRedirectUriComesFromItAndRefusedAnswersSpendTheBudget() {
        try (TestServer proxied = TestServer.start(home.resolve("proxied"), TestDatabases.create(),
                "limits:\n  auth_failures_per_source: {rate: 1/m, burst: 2}\n",
                "console:\n  public_url: https://keyward.example.com\n" + oidcYaml())) {
            ConsoleHttp http = new ConsoleHttp(proxied.port());
            assertEquals("https://keyward.example.com/login/oidc/callback",
                    redirectUri(http.request("GET", "/login/oidc", Map.of(), null)),
                    "behind the proxy, not the Host this server was reached at");
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> refused = http.request("GET", "/login/oidc/callback?state=" + "y".repeat(43)
                        + "&code=guess" + i, Map.of(), null);
                assertEquals(400, refused.statusCode(), refused.body());
            }
            HttpResponse<String> limited = http.request("GET", "/login/oidc", Map.of(), null);
            assertEquals(429, limited.statusCode(), limited.body());
            assertTrue(limited.headers().firstValue("Retry-After").isPresent(), limited.headers().toString());
            assertTrue(limited.body().contains("http.limits.auth_failures_per_source"), limited.body());
        }
    }
}
