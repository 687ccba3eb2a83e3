package dev.keyward.cli.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliConfigTest {
    static final Path HOME = Path.of("/home/alice");

    @Test
    void readsEveryKeyWithCommentsAndTilde() {
        CliConfig c = CliConfig.parse("""
                # my keyward
                server = https://ca.example.com
                  key=~/.ssh/work_ed25519
                token_file = /run/user/1000/keyward-token

                """, "config", HOME);
        assertEquals(Optional.of("https://ca.example.com"), c.server());
        assertEquals(Optional.of(HOME.resolve(".ssh/work_ed25519")), c.key());
        assertEquals(Optional.of(Path.of("/run/user/1000/keyward-token")), c.tokenFile());
    }

    @Test
    void refusesUnknownRepeatedEmptyAndMalformedLines() {
        assertMessage("line 2: unknown key 'sever'", "server = https://a\nsever = https://b\n");
        assertMessage("line 2: 'server' is set twice", "server = https://a\nserver = https://b\n");
        assertMessage("line 1: 'key' needs a value", "key =\n");
        assertMessage("line 1: expected 'key = value'", "just words\n");
    }

    @Test
    void aMissingFileIsAnEmptyConfig(@TempDir Path tmp) {
        assertEquals(CliConfig.empty(), CliConfig.load(tmp.resolve("nope"), HOME));
    }

    private static void assertMessage(String expected, String text) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CliConfig.parse(text, "cfg", HOME));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
