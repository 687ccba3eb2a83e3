package dev.keyward.web.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.Chromium;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The admin console in a real headless Chromium against a real server (one of each for the class): token sign-in
 * and sign-out, certificates found and revoked with the KRL version rising, what an auditor sees and may not do,
 * text from the database that stays text, and requests from elsewhere refused.
 */
class ConsoleBrowserTest {
    @TempDir
    static Path home;
    static TestServer server;
    static ConsoleBrowser browser;
    static String admin;
    static String auditor;
    static String engineer;

    @BeforeAll
    static void start() {
        Chromium chromium = Chromium.shared();
        server = TestServer.start(home, TestDatabases.create());
        browser = new ConsoleBrowser(chromium, server.port());
        admin = server.adminToken();
        auditor = server.token("auditor", "audrey");
        engineer = server.token("engineer", "alice");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** A user certificate for alice; returns its serial. */
    static long issue() {
        Api.Resp r = server.api().post("/api/v1/certs/user", engineer, Map.of("public_key", SshKeyLines.ed25519("a")));
        assertEquals(201, r.status(), r.toString());
        return r.json().get("serial").asLong();
    }

    static String form(String... kv) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            b.append(b.isEmpty() ? "" : "&").append(kv[i]).append('=')
                    .append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    @Test
    void signsInWithATokenAndOut() {
        browser.driver().manage().deleteAllCookies();
        browser.open("/certificates");
        assertEquals("/login", browser.path(), "without a session the console asks to sign in");
        String page = browser.signInWithToken(admin);
        assertTrue(page.contains("admin"), page);
        assertEquals("/certificates", browser.path(), page);
        String session = browser.sessionCookie();
        assertNotNull(session);
        assertFalse(browser.driver().getCurrentUrl().contains("kwt_"), "the token is never in a URL");

        browser.submit(browser.driver().findElement(By.cssSelector("form[action='/logout'] button")));
        assertEquals("/login", browser.path());
        assertNull(browser.sessionCookie());
        HttpResponse<String> again = browser.request("GET", "/certificates", Map.of("Cookie",
                ConsoleBrowser.COOKIE + "=" + session), null);
        assertEquals(303, again.statusCode(), "the signed-out session's cookie signs no one in: " + again.body());
        assertEquals("/login", again.headers().firstValue("Location").orElse(""));
    }

    @Test
    void engineersAndBadTokensGetNoConsole() {
        String page = browser.signInWithToken(engineer);
        assertEquals("/login", browser.path());
        assertTrue(page.contains("the console is for admins and auditors"), page);
        assertNull(browser.sessionCookie());
        page = browser.signInWithToken("kwt_" + "A".repeat(43));
        assertTrue(page.contains("That token does not sign in: the API token is not known"), page);
    }

    @Test
    void findsACertificateAndRevokesItAndTheKrlVersionRises() {
        long serial = issue();
        browser.signInWithToken(admin);
        browser.open("/certificates?principal=alice");
        long krlBefore = Long.parseLong(browser.driver().findElement(By.id("krl-version")).getText());
        browser.driver().findElement(By.linkText(Long.toString(serial))).click();
        assertEquals("/certificates/" + serial, browser.path());
        assertEquals("active", browser.driver().findElement(By.id("cert-status")).getText());

        String reason = "<script>window.pwned = 1</script> laptop lost";
        browser.driver().findElement(By.id("reason")).sendKeys(reason);
        browser.driver().findElement(By.name("confirm")).click();
        browser.submit(browser.driver().findElement(By.cssSelector("form.danger-zone button[type=submit]")));

        assertEquals("revoked", browser.driver().findElement(By.id("cert-status")).getText());
        long krlAfter = Long.parseLong(browser.driver().findElement(By.id("krl-version")).getText());
        assertTrue(krlAfter > krlBefore, krlBefore + " -> " + krlAfter);
        assertTrue(browser.text().contains("Revoked. The KRL is now version " + krlAfter), browser.text());
        // the reason went into the page as text: shown literally, and no script ran
        assertTrue(browser.text().contains(reason), browser.text());
        assertNull(browser.driver().executeScript("return window.pwned;"));
        assertTrue(browser.driver().getPageSource().contains("&lt;script&gt;window.pwned"));
        assertEquals("revoked", server.api().get("/api/v1/certs/" + serial, admin).json().get("status").asText());
        assertTrue(browser.all("form.danger-zone").isEmpty(), "a revoked certificate offers no revoke");
    }

    @Test
    void revokingNeedsTheConfirmationAndAReason() {
        long serial = issue();
        browser.signInWithToken(admin);
        String csrf = csrfOf("/certificates/" + serial);
        String cookie = ConsoleBrowser.COOKIE + "=" + browser.sessionCookie();
        HttpResponse<String> r = browser.request("POST", "/certificates/" + serial + "/revoke",
                Map.of("Cookie", cookie), form("csrf", csrf, "reason", "no box ticked"));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("field 'confirm' must be ticked"), r.body());
        r = browser.request("POST", "/certificates/" + serial + "/revoke", Map.of("Cookie", cookie),
                form("csrf", csrf, "confirm", "yes"));
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("active", server.api().get("/api/v1/certs/" + serial, admin).json().get("status").asText());
    }

    @Test
    void anAuditorSeesNoRevokeAndAForgedPostIsRefused() {
        long serial = issue();
        browser.signInWithToken(auditor);
        browser.open("/certificates/" + serial);
        assertEquals("active", browser.driver().findElement(By.id("cert-status")).getText());
        assertTrue(browser.all("form.danger-zone").isEmpty(), "no revoke form for an auditor");
        // the auditor forges the admin's form from the console's own page, with the session's valid CSRF token
        Object status = browser.driver().executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "var body = new URLSearchParams({csrf: arguments[0], reason: 'forged', confirm: 'yes'});"
                + "fetch(arguments[1], {method: 'POST', body: body}).then(r => done(r.status));",
                browser.csrf(), "/certificates/" + serial + "/revoke");
        assertEquals(403L, status);
        assertEquals("active", server.api().get("/api/v1/certs/" + serial, admin).json().get("status").asText());
    }

    @Test
    void postsFromElsewhereAreRefused() {
        long serial = issue();
        browser.signInWithToken(admin);
        String csrf = csrfOf("/certificates/" + serial);
        String cookie = ConsoleBrowser.COOKIE + "=" + browser.sessionCookie();
        String path = "/certificates/" + serial + "/revoke";
        String body = form("reason", "cross-site", "confirm", "yes");
        // another site's form: the browser would send the cookie (were it not SameSite=Strict), but no CSRF token
        HttpResponse<String> r = browser.request("POST", path, Map.of("Cookie", cookie, "Origin",
                "https://evil.example", "Sec-Fetch-Site", "cross-site"), body);
        assertEquals(403, r.statusCode(), r.body());
        // without the token, even with no tell-tale headers
        r = browser.request("POST", path, Map.of("Cookie", cookie), body);
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("CSRF token is missing or wrong"), r.body());
        // with the right token but from another origin
        r = browser.request("POST", path, Map.of("Cookie", cookie, "Origin", "https://evil.example"),
                body + "&csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8));
        assertEquals(403, r.statusCode(), r.body());
        r = browser.request("POST", path, Map.of("Cookie", cookie, "Sec-Fetch-Site", "same-site"),
                body + "&csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8));
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("active", server.api().get("/api/v1/certs/" + serial, admin).json().get("status").asText());
        // and with the token from the console's origin it goes through
        r = browser.request("POST", path, Map.of("Cookie", cookie, "Origin", browser.base(), "Sec-Fetch-Site",
                "same-origin"), body + "&csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8));
        assertEquals(303, r.statusCode(), r.body());
        assertEquals("revoked", server.api().get("/api/v1/certs/" + serial, admin).json().get("status").asText());
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() {
        browser.signInWithToken(admin);
        String cookie = ConsoleBrowser.COOKIE + "=" + browser.sessionCookie();
        for (String path : new String[] {"/login", "/certificates", "/certificates/999999", "/static/console.css",
                "/static/console.js", "/certificates?status=nonsense"}) {
            HttpResponse<String> r = browser.request("GET", path, Map.of("Cookie", cookie), null);
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'")
                    && !csp.contains("unsafe"), path + ": " + csp);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), path);
            assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(""), path);
        }
        HttpResponse<String> login = browser.request("POST", "/login", Map.of(), form("token", admin));
        String setCookie = login.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
        assertFalse(setCookie.contains(admin), "the token is not the cookie");
    }

    private static String csrfOf(String path) {
        browser.open(path);
        return browser.csrf();
    }
}
