package dev.keyward.web.console;

import dev.keyward.web.testing.Chromium;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A person at the console in the shared headless Chromium, plus a plain HTTP client that plays a forger (another
 * site's form, a script with a stolen cookie). Prints each page's server time (Navigation Timing), never asserts it.
 */
final class ConsoleBrowser {
    static final String COOKIE = "keyward_console";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Chromium chromium;
    private final String base;
    private final ConsoleHttp http;

    ConsoleBrowser(Chromium chromium, int port) {
        this.chromium = chromium;
        this.http = new ConsoleHttp(port);
        this.base = http.base();
    }

    ChromeDriver driver() {
        return chromium.driver();
    }

    /** A new person at the browser: no cookies at all (the console's, the identity provider's). */
    void forgetSessions() {
        chromium.forgetSessions();
    }

    String base() {
        return base;
    }

    /** Opens a console path and prints how long the server took for it. */
    void open(String path) {
        driver().get(base + path);
        Object ms = driver().executeScript("var n = performance.getEntriesByType('navigation')[0];"
                + " return n ? Math.round(n.responseEnd - n.requestStart) + ' ms (load ' + Math.round(n.duration)"
                + " + ' ms)' : 'n/a';");
        System.out.println("console page " + path + ": " + ms);
    }

    /** A fresh browser (no cookies) signing in with a pasted token; returns the page text after it. */
    String signInWithToken(String token) {
        forgetSessions();
        open("/login");
        driver().findElement(By.id("token")).sendKeys(token);
        submit(driver().findElement(By.cssSelector("form[action='/login'] button[type=submit]")));
        return text();
    }

    /** Clicks a submit button and waits for the page it leads to. */
    void submit(WebElement button) {
        WebElement html = driver().findElement(By.tagName("html"));
        button.click();
        new WebDriverWait(driver(), WAIT).until(d -> {
            try {
                html.isDisplayed();
                return false;
            } catch (org.openqa.selenium.StaleElementReferenceException gone) {
                return true;
            } catch (org.openqa.selenium.WebDriverException e) {
                // Chromium asked about a node of the page it is leaving may answer "Node with given id does not
                // belong to the document" instead of a stale reference: the page is gone all the same
                if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) {
                    return true;
                }
                throw e;
            }
        });
    }

    String text() {
        return driver().findElement(By.tagName("body")).getText();
    }

    String path() {
        return URI.create(driver().getCurrentUrl()).getPath();
    }

    /** The session cookie the browser holds now. */
    String sessionCookie() {
        Cookie c = driver().manage().getCookieNamed(COOKIE);
        return c == null ? null : c.getValue();
    }

    /** The CSRF token of the page shown (the sign-out form carries it on every page). */
    String csrf() {
        return driver().findElement(By.cssSelector("form[action='/logout'] input[name=csrf]")).getAttribute("value");
    }

    /** A request outside the browser: {@code method path} with these headers and a form body (or none). */
    HttpResponse<String> request(String method, String path, Map<String, String> headers, String form) {
        return http.request(method, path, headers, form);
    }

    List<WebElement> all(String css) {
        return driver().findElements(By.cssSelector(css));
    }
}
