package dev.keyward.cli.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ~/.config/keyward/refresh_tokens}: 0600, per server, refused when others can read it, gone at logout. */
class SavedSignInsTest {
    private static final SavedSignIns.Saved SAVED = new SavedSignIns.Saved("https://idp.example.com", "keyward",
            "rt-secret", "sub-1", Instant.parse("2026-12-04T10:00:00Z"));

    @TempDir
    Path dir;

    @Test
    void keptOwnerOnlyPerServerAndReadBack() throws IOException {
        SavedSignIns s = SavedSignIns.load(dir, true);
        s.put(URI.create("http://127.0.0.1:8443/"), SAVED);
        Path file = dir.resolve(SavedSignIns.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        SavedSignIns again = SavedSignIns.load(dir, true);
        assertEquals(Optional.of(SAVED), again.get(URI.create("http://localhost:8443")), "keyed like the CA pins");
        assertEquals(Optional.empty(), again.get(URI.create("https://ca.example.com")));
        assertFalse(again.toString().contains("rt-secret") || SAVED.toString().contains("rt-secret"));
        again.remove(URI.create("http://localhost:8443"));
        assertFalse(Files.exists(file), "the last one removed takes the file along");
    }

    @Test
    void aFileOthersCanReadIsRefusedButLogoutStillForgetsIt() throws IOException {
        SavedSignIns.load(dir, true).put(URI.create("https://ca.example.com"), SAVED);
        Path file = dir.resolve(SavedSignIns.FILE_NAME);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        String m = assertThrows(InvalidInputException.class, () -> SavedSignIns.load(dir, true)).getMessage();
        assertTrue(m.startsWith("refresh token file " + file + " is open to other users (mode rw-r--r--)"), m);
        assertFalse(m.contains("rt-secret"));
        assertEquals(List.of(SAVED), SavedSignIns.takeAll(dir), "read whatever its mode, to be revoked");
        assertFalse(Files.exists(file));
        assertEquals(List.of(), SavedSignIns.takeAll(dir), "twice is fine");
    }

    @Test
    void aBrokenFileIsNamedAndLogoutRemovesIt() throws IOException {
        Path file = Files.writeString(dir.resolve(SavedSignIns.FILE_NAME), "{\"sign_ins\": 3");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        String m = assertThrows(InvalidInputException.class, () -> SavedSignIns.load(dir, true)).getMessage();
        assertTrue(m.startsWith(file + " is not valid ("), m);
        assertTrue(m.endsWith("delete it (keyward logout does) and sign in again"), m);
        assertEquals(List.of(), SavedSignIns.takeAll(dir));
        assertFalse(Files.exists(file));
    }
}
