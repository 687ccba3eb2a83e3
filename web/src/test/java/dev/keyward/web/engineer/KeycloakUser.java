package dev.keyward.web.engineer;

import dev.keyward.web.testing.Chromium;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The engineer at Keycloak's pages in headless Chromium: the device page (the code is in the URL), the login form,
 * the consent page (shown until a user has granted it once; "No" there is how a user denies).
 */
final class KeycloakUser {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private KeycloakUser() {
    }

    /** Opens {@code verification_uri_complete}, signs in and grants (or denies) the device. */
    static String device(Chromium chromium, URI complete, String user, String password, boolean grant) {
        WebDriver d = fresh(chromium);
        d.get(complete.toString());
        // Keycloak asks to confirm the code that came in the URL
        clickIfPresent(d, By.id("kc-login"), By.id("username"));
        signIn(d, user, password);
        consent(d, grant);
        // the click on Yes/No starts a navigation: wait for the page that follows it (Keycloak's result page)
        new WebDriverWait(d, WAIT).until(x -> x.findElements(By.name("accept")).isEmpty()
                && x.findElements(By.name("cancel")).isEmpty() && !text(x).isEmpty());
        return text(d);
    }

    /**
     * Follows an authorization URL as a new user at the browser: signs in, grants (or denies) consent when asked, and
     * waits until Keycloak has sent the browser back to the loopback redirect; returns that page's text.
     */
    static String authorize(Chromium chromium, URI url, String user, String password, boolean grant) {
        WebDriver d = fresh(chromium);
        d.get(url.toString());
        signIn(d, user, password);
        consent(d, grant);
        new WebDriverWait(d, WAIT).until(x -> x.getCurrentUrl().contains("/callback?") && !text(x).isEmpty());
        return text(d);
    }

    static WebDriver fresh(Chromium chromium) {
        chromium.forgetSessions();
        return chromium.driver();
    }

    private static void signIn(WebDriver d, String user, String password) {
        new WebDriverWait(d, WAIT).until(x -> !x.findElements(By.id("username")).isEmpty());
        d.findElement(By.id("username")).sendKeys(user);
        d.findElement(By.id("password")).sendKeys(password);
        d.findElement(By.id("kc-login")).click();
    }

    /** On the consent page, Yes or No; no consent page (granted before) is fine when granting. */
    private static void consent(WebDriver d, boolean grant) {
        new WebDriverWait(d, WAIT).until(x -> x.getCurrentUrl().startsWith("http://127.0.0.1:")
                && (!x.findElements(By.name("accept")).isEmpty() || !x.findElements(By.name("cancel")).isEmpty()
                || x.findElements(By.id("username")).isEmpty()));
        List<WebElement> button = d.findElements(By.name(grant ? "accept" : "cancel"));
        if (button.isEmpty()) {
            if (!grant) {
                throw new AssertionError("no consent page to deny on: " + text(d));
            }
            return;
        }
        button.get(0).click();
    }

    private static void clickIfPresent(WebDriver d, By button, By unless) {
        new WebDriverWait(d, WAIT).until(x -> !x.findElements(button).isEmpty() || !x.findElements(unless).isEmpty());
        if (d.findElements(unless).isEmpty()) {
            d.findElement(button).click();
        }
    }

    /**
     * The page's text; "" while there is none. A page being replaced by a navigation (after a click) makes the body
     * found a moment before stale: it is looked up again, a bounded number of times.
     */
    static String text(WebDriver d) {
        for (int attempt = 0; ; attempt++) {
            try {
                List<WebElement> body = d.findElements(By.tagName("body"));
                return body.isEmpty() ? "" : body.get(0).getText();
            } catch (org.openqa.selenium.WebDriverException e) {
                // stale, or Chromium's "Node with given id does not belong to the document" for the same race
                boolean gone = e instanceof StaleElementReferenceException
                        || (e.getMessage() != null && e.getMessage().contains("does not belong to the document"));
                if (!gone || attempt >= 20) {
                    throw e;
                }
                sleep(100);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
