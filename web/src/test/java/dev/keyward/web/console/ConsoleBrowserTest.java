package dev.keyward.web.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.web.testing.AgentRoots;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.Chromium;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        // the overview counts in the background every second (30 s by default), so its chart shows what a test issued
        server = TestServer.start(home, TestDatabases.create(), "console:\n  overview_refresh: 1s\n");
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
        assertEquals("/", browser.path(), "signed in, the overview: " + page);
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
        HttpResponse<String> missing = browser.request("GET", "/certificates/999999", Map.of("Cookie", cookie), null);
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("there is no certificate with serial 999999"), missing.body());
        HttpResponse<String> login = browser.request("POST", "/login", Map.of(), form("token", admin));
        String setCookie = login.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
        assertFalse(setCookie.contains(admin), "the token is not the cookie");
    }

    @Test
    void registersAHostAndShowsItsJoinTokenOnce() {
        browser.signInWithToken(admin);
        browser.open("/hosts");
        browser.driver().findElement(By.id("hostname")).sendKeys("web7.example.com");
        browser.driver().findElement(By.id("labels")).sendKeys("web, prod");
        browser.submit(browser.driver().findElement(By.cssSelector("form[action='/hosts'] button[type=submit]")));
        String token = browser.driver().findElement(By.id("join-token")).getText();
        assertTrue(token.startsWith("kwj_"), token);
        String command = browser.driver().findElement(By.id("enroll-command")).getText();
        assertTrue(command.startsWith("keyward-agent enroll --server " + browser.base() + " --join-token-file"),
                command);
        assertFalse(browser.driver().getCurrentUrl().contains(token), "the join token is never in a URL");

        browser.open("/hosts");
        assertTrue(browser.text().contains("web7.example.com"), browser.text());
        assertFalse(browser.driver().getPageSource().contains(token), "the join token is shown once only");
        // and it is a real one: the host enrolls with it
        Api.Resp enrolled = server.api().post("/api/v1/hosts/enroll", null, Map.of("join_token", token,
                "host_keys", java.util.List.of(SshKeyLines.ed25519("web7"))));
        assertEquals(200, enrolled.status(), enrolled.toString());
        browser.open("/hosts");
        assertTrue(browser.text().contains("enrolled"), browser.text());
    }

    @Test
    void addsAStaticKeyThatShowsOnTheKeysPageAfterAnAgentCycle(@TempDir Path tmp) throws Exception {
        String user = Sshd.currentUser();
        Path root = AgentRoots.withUser(tmp.resolve("root"), user);
        Path joinToken = AgentRoots.register(server, "agent.example.com", tmp.resolve("join-token"));
        assertEquals(0, agent(root, "enroll", "--server", browser.base(), "--join-token-file", joinToken.toString()));
        Path key = Cmd.sshKeygen(Files.createDirectories(tmp.resolve("keys")), "deploy", "ed25519", 0);
        String line = Files.readString(Path.of(key + ".pub")).strip();

        browser.signInWithToken(admin);
        browser.open("/keys");
        browser.driver().findElement(By.id("k-account")).sendKeys(user);
        browser.driver().findElement(By.id("k-host")).sendKeys("agent.example.com");
        browser.driver().findElement(By.id("k-key")).sendKeys(line);
        String comment = "<script>window.pwned = 2</script>deploy";
        browser.driver().findElement(By.id("k-comment")).sendKeys(comment);
        browser.submit(browser.driver().findElement(By.cssSelector("form[action='/keys/static'] button")));
        assertTrue(browser.text().contains("Static key added"), browser.text());

        assertEquals(0, agent(root, "once", "--server", browser.base(), "--log-file", "/sshd/sshd.log"));
        String fingerprint = Cmd.run(java.util.List.of("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub")).stdout().split(" ")[1];
        browser.open("/keys?account=" + user);
        String page = browser.text();
        assertTrue(page.contains(fingerprint), page);
        assertTrue(page.contains("agent.example.com · " + user + " · /etc/ssh/keyward/authorized_keys/" + user),
                "the agent reported the file it wrote: " + page);
        assertTrue(page.contains(comment), "the comment shows as text: " + page);
        assertNull(browser.driver().executeScript("return window.pwned;"));
        assertFalse(browser.all("form[action^='/keys/static/'][action$='/delete']").isEmpty(), page);

        // revoke the key everywhere: it goes into the KRL, whose version rises
        browser.open("/certificates");
        long krlBefore = Long.parseLong(browser.driver().findElement(By.id("krl-version")).getText());
        browser.open("/keys?account=" + user);
        browser.driver().findElement(By.id("r-fingerprint")).sendKeys(fingerprint);
        browser.driver().findElement(By.id("r-reason")).sendKeys("deploy key leaked");
        browser.driver().findElement(By.cssSelector("form[action='/keys/revoke'] input[name=confirm]")).click();
        browser.submit(browser.driver().findElement(By.cssSelector("form[action='/keys/revoke'] button")));
        assertTrue(browser.text().contains("Key revoked everywhere"), browser.text());
        browser.open("/certificates");
        assertTrue(Long.parseLong(browser.driver().findElement(By.id("krl-version")).getText()) > krlBefore);
    }

    @Test
    void everyPageRendersForAnAuditorWithoutActions() {
        issue();
        browser.signInWithToken(auditor);
        for (String path : new String[] {"/", "/certificates", "/hosts", "/keys", "/audit", "/audit/verify",
                "/ca-keys"}) {
            browser.open(path);
            assertFalse(browser.all("h1").isEmpty(), path);
            assertTrue(browser.all("form[method=post]:not([action='/logout'])").isEmpty(),
                    "an auditor gets no forms that change anything on " + path);
        }
        // the certificate issued above is in the overview's next count (within a second): reload until then
        for (int i = 0; i < 20 && browser.all("svg.chart rect.bar").isEmpty(); i++) {
            browser.open("/");
            if (browser.all("svg.chart rect.bar").isEmpty()) {
                sleep(250);
            }
        }
        assertFalse(browser.all("svg.chart rect.bar").isEmpty(), "the issuance chart has bars");
        browser.open("/audit/verify");
        assertTrue(browser.text().contains("The chain verifies"), browser.text());
        String cookie = ConsoleBrowser.COOKIE + "=" + browser.sessionCookie();
        for (String[] post : new String[][] {{"/hosts", "hostname=forged.example.com"},
                {"/keys/static", "account=root&host=x&public_key=" + URLEncoder.encode(SshKeyLines.ed25519("f"),
                        StandardCharsets.UTF_8)}, {"/keys/revoke", "fingerprint=SHA256:" + "A".repeat(43)
                        + "&reason=forged&confirm=yes"}, {"/hosts/1/join-token", ""}, {"/keys/static/1/delete", ""}}) {
            HttpResponse<String> r = browser.request("POST", post[0], Map.of("Cookie", cookie), post[1] + "&csrf="
                    + URLEncoder.encode(browser.csrf(), StandardCharsets.UTF_8));
            assertEquals(403, r.statusCode(), post[0] + ": " + r.body());
            assertTrue(r.body().contains("needs role admin; the caller has role auditor"), r.body());
        }
    }

    /**
     * Every page, with data on it: no serious or critical axe-core violation, a screenshot at 1280x800 into
     * {@code target/console-screenshots/}, and at 480 px wide no horizontal overflow of the page.
     */
    @Test
    void everyPagePassesAxeFitsANarrowWindowAndIsPhotographed() throws Exception {
        long serial = issue();
        issue();
        Api.Resp host = server.api().post("/api/v1/hosts", admin, Map.of("hostname", "db1.example.com", "labels",
                java.util.List.of("db", "prod")));
        assertEquals(201, host.status(), host.toString());
        Api.Resp key = server.api().post("/api/v1/authorized-keys", admin, Map.of("account", "deploy", "host",
                "db1.example.com", "public_key", SshKeyLines.ed25519("ci"), "comment", "ci deploy key"));
        assertEquals(201, key.status(), key.toString());
        Path shots = Files.createDirectories(Path.of("target/console-screenshots"));
        browser.forgetSessions();
        java.util.Map<String, String> pages = new java.util.LinkedHashMap<>();
        pages.put("login", "/login");
        browser.signInWithToken(admin);
        pages.put("overview", "/");
        pages.put("certificates", "/certificates");
        pages.put("certificate", "/certificates/" + serial);
        pages.put("hosts", "/hosts");
        pages.put("keys", "/keys");
        pages.put("audit", "/audit");
        pages.put("audit-verify", "/audit/verify");
        pages.put("ca-keys", "/ca-keys");
        pages.put("error", "/certificates/999999");
        org.openqa.selenium.WebDriver.Window window = browser.driver().manage().window();
        try {
            java.util.List<String> problems = new java.util.ArrayList<>();
            for (var p : pages.entrySet()) {
                if (p.getKey().equals("login")) {
                    continue; // photographed signed out below
                }
                window.setSize(new org.openqa.selenium.Dimension(1280, 800));
                browser.open(p.getValue());
                Accessibility.seriousViolations(browser.driver()).forEach(v -> problems.add(p.getValue() + ": " + v));
                shoot(shots.resolve(p.getKey() + ".png"));
                window.setSize(new org.openqa.selenium.Dimension(480, 900));
                browser.open(p.getValue());
                Object overflow = browser.driver().executeScript("var d = document.documentElement;"
                        + " if (d.scrollWidth <= window.innerWidth) { return null; }"
                        + " var wide = Array.from(document.querySelectorAll('body *')).filter(function (e) {"
                        + " return e.getBoundingClientRect().right > window.innerWidth + 1; })"
                        + ".filter(function (e) { return !e.closest('.scroll'); }).slice(0, 3).map(function (e) {"
                        + " return e.tagName + '.' + e.className; });"
                        + " return d.scrollWidth + ' > ' + window.innerWidth + ': ' + wide.join(', ');");
                if (overflow != null) {
                    problems.add(p.getValue() + " at 480 px: the page is wider than the window (" + overflow + ")");
                }
            }
            browser.forgetSessions();
            window.setSize(new org.openqa.selenium.Dimension(1280, 800));
            browser.open("/login");
            Accessibility.seriousViolations(browser.driver()).forEach(v -> problems.add("/login: " + v));
            shoot(shots.resolve("login.png"));
            assertEquals(java.util.List.of(), problems);
        } finally {
            window.setSize(new org.openqa.selenium.Dimension(1280, 800));
        }
    }

    private static void shoot(Path file) throws java.io.IOException {
        byte[] png = browser.driver().getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
        Files.write(file, png);
    }

    static int agent(Path root, String... args) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of(args));
        a.addAll(java.util.List.of("--root", root.toString()));
        return KeywardAgentCli.execute(a.toArray(String[]::new));
    }

    private static String csrfOf(String path) {
        browser.open(path);
        return browser.csrf();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
