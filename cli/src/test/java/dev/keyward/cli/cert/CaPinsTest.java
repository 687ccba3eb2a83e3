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
    void spellingsOfOneServerSharePins() throws IOException {
        TestCa a = new TestCa(tmp, "a");
        Path dir = tmp.resolve("config");
        CaPins.load(dir).pin(URI.create("http://127.0.0.1"), List.of(a.publicKey()));
        CaPins back = CaPins.load(dir);
        for (String same : List.of("http://127.0.0.1:80", "http://localhost/", "http://[::1]:80",
                "http://127.0.1.2/keyward")) {
            assertEquals(List.of(a.publicKey()), back.pinned(URI.create(same)), same);
        }
        for (String other : List.of("https://127.0.0.1", "http://127.0.0.1:8080", "http://10.0.0.1")) {
            assertEquals(List.of(), back.pinned(URI.create(other)), other);
        }
    }

    @Test
    void urlStringKeysOfOlderVersionsAreReadNormalisedAndWrittenNormalised() throws IOException {
        TestCa a = new TestCa(tmp, "a");
        TestCa b = new TestCa(tmp, "b");
        TestCa c = new TestCa(tmp, "c");
        Path dir = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(dir.resolve(CaPins.FILE_NAME), "# user CA keys pinned by keyward login (trust on first use)\n"
                + "https://ca.example.com/keyward " + a.publicKey().toOpenSshWithoutComment() + "\n"
                + "https://ca.example.com:443 " + b.publicKey().toOpenSshWithoutComment() + "\n"
                + "http://localhost:8080 " + c.publicKey().toOpenSshWithoutComment() + "\n"
                + "http://127.0.0.1:8080 " + c.publicKey().toOpenSshWithoutComment() + "\n");
        CaPins pins = CaPins.load(dir);
        assertEquals(List.of(a.publicKey(), b.publicKey()), pins.pinned(URI.create("https://CA.example.com")),
                "two spellings of one server: both pins kept");
        assertEquals(List.of(c.publicKey()), pins.pinned(URI.create("http://[::1]:8080")));
        pins.pin(URI.create("https://other.example.com"), List.of(a.publicKey()));
        assertEquals(List.of("https://ca.example.com:443 " + a.publicKey().toOpenSshWithoutComment(),
                "https://ca.example.com:443 " + b.publicKey().toOpenSshWithoutComment(),
                "http://localhost:8080 " + c.publicKey().toOpenSshWithoutComment(),
                "https://other.example.com:443 " + a.publicKey().toOpenSshWithoutComment()),
                Files.readString(dir.resolve(CaPins.FILE_NAME)).lines().filter(l -> !l.startsWith("#")).toList());
    }

    @Test
    void aCorruptLineNamesTheFileAndLine() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(dir.resolve(CaPins.FILE_NAME), "# c\nhttps://x ssh-ed25519 !!!\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CaPins.load(dir));
        assertTrue(e.getMessage().contains("user_ca_pins line 2"), e.getMessage());
        Files.writeString(dir.resolve(CaPins.FILE_NAME), "ftp://x " + new TestCa(tmp, "a").publicKey().toOpenSsh()
                + "\n");
        e = assertThrows(InvalidInputException.class, () -> CaPins.load(dir));
        assertTrue(e.getMessage().contains("user_ca_pins line 1: server URL 'ftp://x' must start with https://"),
                e.getMessage());
    }
}
