package dev.keyward.web.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.testing.Chromium;
import dev.keyward.web.testing.Keycloak;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.net.URI;
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
        server = TestServer.start(home, TestDatabases.create(), "oidc:\n"
                + "  issuer: " + keycloak.issuer() + "\n"
                + "  audience: keyward\n"
                + "  role_groups:\n"
                + "    admin: [keyward-admins]\n"
                + "    engineer: [engineering]\n"
                + "  login:\n"
                + "    client_id: " + Keycloak.CLIENT_ID + "\n");
        browser = new ConsoleBrowser(chromium, server.port());
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
    }
}
