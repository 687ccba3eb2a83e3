package dev.keyward.cli.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialTest {
    @TempDir
    Path tmp;

    static CliEnv env(Map<String, String> vars) {
        return new CliEnv(vars, false, Clock.systemUTC());
    }

    Path tokenFile(String content, String perms) throws IOException {
        Path f = tmp.resolve("token");
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    void readsAnOwnerOnlyFileWithoutItsNewline() throws IOException {
        Credential c = Credential.resolve(Optional.of(tokenFile("kwt_secret\n", "rw-------")), env(Map.of()));
        assertEquals("kwt_secret", c.value());
        assertFalse(c.toString().contains("kwt_secret"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw----r--"})
    void refusesAFileOtherUsersCanRead(String perms) throws IOException {
        Path f = tokenFile("kwt_secret", perms);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Credential.resolve(Optional.of(f), env(Map.of())));
        assertTrue(e.getMessage().contains("readable by other users; chmod 600"), e.getMessage());
        assertFalse(e.getMessage().contains("kwt_secret"));
    }

    @Test
    void theFileWinsOverTheEnvironmentWhichIsTheFallback() throws IOException {
        Path f = tokenFile("from-file", "rw-------");
        assertEquals("from-file", Credential.resolve(Optional.of(f), env(Map.of("KEYWARD_TOKEN", "env"))).value());
        assertEquals("env", Credential.resolve(Optional.empty(), env(Map.of("KEYWARD_TOKEN", " env\n"))).value());
    }

    @Test
    void refusesNoTokenAnEmptyFileAMissingFileAndAMalformedToken() throws IOException {
        assertThrows(InvalidInputException.class, () -> Credential.resolve(Optional.empty(), env(Map.of())));
        Path empty = tokenFile("\n", "rw-------");
        assertThrows(InvalidInputException.class, () -> Credential.resolve(Optional.of(empty), env(Map.of())));
        assertThrows(InvalidInputException.class,
                () -> Credential.resolve(Optional.of(tmp.resolve("absent")), env(Map.of())));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Credential.resolve(Optional.empty(), env(Map.of("KEYWARD_TOKEN", "two words"))));
        assertFalse(e.getMessage().contains("words"), e.getMessage());
    }
}
