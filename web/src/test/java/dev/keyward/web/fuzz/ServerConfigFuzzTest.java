package dev.keyward.web.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.policy.IssuancePolicy;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.config.ConfigLoader;
import dev.keyward.web.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server's YAML configuration ({@code --config keyward.yaml}) and its issuance policy, as the server reads them
 * at start-up: {@link ConfigLoader} may throw only {@link ConfigException}, {@link IssuancePolicy#fromMap} only
 * {@link InvalidInputException}, and neither may ask DNS for a name.
 */
class ServerConfigFuzzTest {
    private static final Path FILE = file();

    /** A configuration reads the same twice, and the policy it holds loads or is refused with a message. */
    @FuzzTest
    void yaml(byte[] data) throws IOException {
        NameLookups.refuse();
        try {
            check(data);
        } finally {
            NameLookups.allow();
        }
    }

    private static void check(byte[] data) throws IOException {
        Files.write(FILE, data);
        ServerConfig cfg;
        try {
            cfg = new ConfigLoader(Map.of()).load(Optional.of(FILE));
        } catch (ConfigException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a refusal without a message");
            assertEquals(List.of(), NameLookups.takeAttempts(), "the configuration made the server ask DNS");
            return;
        }
        assertEquals(cfg, new ConfigLoader(Map.of()).load(Optional.of(FILE)));
        if (!cfg.policy().isEmpty()) {
            try {
                IssuancePolicy.fromMap(cfg.policy()).toString();
            } catch (InvalidInputException e) {
                assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a refusal without a message");
            }
        }
        assertEquals(List.of(), NameLookups.takeAttempts(), "the configuration made the server ask DNS");
    }

    private static Path file() {
        try {
            Path dir = Files.createTempDirectory("keyward-fuzz-config");
            dir.toFile().deleteOnExit();
            Path f = dir.resolve("keyward.yaml");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
