package dev.keyward.web.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium through chromedriver (Debian's {@code chromium} and {@code chromium-driver}; {@code scripts/test}
 * installs them), one per test JVM, stopped when the test session ends ({@link TestDatabasesSession}). Started with
 * the flags that keep it off the network (no background networking, component updates or sync) and a fresh
 * profile directory. Without the binaries the tests that need it are skipped with that reason.
 */
public final class Chromium {
    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static Chromium instance;

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriverService service, ChromeDriver driver, Path profile) {
        this.service = service;
        this.driver = driver;
        this.profile = profile;
    }

    public static synchronized Chromium shared() {
        if (instance == null) {
            if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
                String why = "headless Chromium is not installed (" + BROWSER + ", " + DRIVER + "; apt-get install"
                        + " chromium chromium-driver); the browser sign-in tests are skipped";
                System.err.println("SKIPPED: " + why);
                Assumptions.abort(why);
            }
            instance = start();
        }
        return instance;
    }

    private static Chromium start() {
        Path profile;
        try {
            profile = Files.createTempDirectory("keyward-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile()).addArguments("--headless",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().withLogFile(new File(profile.toFile(), "chromedriver.log")).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Chromium(service, driver, profile);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** A new user at the browser: no cookies (no identity provider session) from earlier tests. */
    public void forgetSessions() {
        driver.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("cannot delete the Chromium profile " + dir + ": " + e);
        }
    }

    public static synchronized void shutdown() {
        if (instance != null) {
            try {
                instance.driver.quit();
            } finally {
                instance.service.stop();
                deleteTree(instance.profile);
                instance = null;
            }
        }
    }
}
