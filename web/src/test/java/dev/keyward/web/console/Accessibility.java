package dev.keyward.web.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.web.testing.Api;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * axe-core (vendored in test resources, see {@code axe-core/README.md}; its SHA-512 is checked before use) run on the
 * page shown: the violations of impact serious or critical, one line each.
 */
final class Accessibility {
    static final String AXE_SHA512 = "e63e659f9806d7ae5bd40899043b0871a5062c5442b01b3f1a3edf5eaf50bf5c3a7104a72463293b4"
            + "ad1b77c661a0d4e40e850dec89de9d6ece70a8c13a9af17";
    private static String axe;

    private Accessibility() {
    }

    static synchronized String axe() {
        if (axe == null) {
            try (InputStream in = Accessibility.class.getResourceAsStream("/axe-core/axe.min.js")) {
                byte[] b = in.readAllBytes();
                assertEquals(AXE_SHA512, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(b)),
                        "axe-core/axe.min.js is not the vendored release");
                axe = new String(b, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return axe;
    }

    /** The serious and critical violations on the page shown now. */
    static List<String> seriousViolations(ChromeDriver driver) {
        driver.executeScript(axe());
        Object json = driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']}).then(function (r) {"
                + " done(JSON.stringify(r.violations)); }, function (e) { done('error: ' + e); });");
        String s = String.valueOf(json);
        if (s.startsWith("error: ")) {
            throw new AssertionError("axe-core failed: " + s);
        }
        List<String> out = new ArrayList<>();
        try {
            for (JsonNode v : Api.JSON.readTree(s)) {
                String impact = v.path("impact").asText();
                if (impact.equals("serious") || impact.equals("critical")) {
                    StringBuilder where = new StringBuilder();
                    for (JsonNode n : v.path("nodes")) {
                        where.append(' ').append(n.path("target"));
                    }
                    out.add(impact + " " + v.path("id").asText() + ": " + v.path("help").asText() + " at" + where);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
