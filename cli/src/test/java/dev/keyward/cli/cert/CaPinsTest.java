package dev.keyward.cli.cert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.cli.testing.TestCa;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaPinsTest {
    @TempDir
    Path tmp;

    @Test
    void pinsPerServerSurviveAReload() throws IOException {
        TestCa a = new TestCa(tmp, "a");
        TestCa b = new TestCa(tmp, "b");
        URI one = URI.create("https://one.example.com");
        URI two = URI.create("https://two.example.com");
        Path dir = tmp.resolve("config");
        CaPins pins = CaPins.load(dir);
        assertEquals(List.of(), pins.pinned(one));
        pins.pin(one, List.of(a.publicKey(), b.publicKey()));
        pins.pin(two, List.of(b.publicKey()));
        CaPins back = CaPins.load(dir);
        assertEquals(List.of(a.publicKey(), b.publicKey()), back.pinned(one));
        assertEquals(List.of(b.publicKey()), back.pinned(two));
        back.pin(one, List.of(b.publicKey()));
        assertEquals(List.of(b.publicKey()), CaPins.load(dir).pinned(one));
    }

    @Test
    void aCorruptLineNamesTheFileAndLine() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(dir.resolve(CaPins.FILE_NAME), "# c\nhttps://x ssh-ed25519 !!!\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CaPins.load(dir));
        assertTrue(e.getMessage().contains("user_ca_pins line 2"), e.getMessage());
    }
}
