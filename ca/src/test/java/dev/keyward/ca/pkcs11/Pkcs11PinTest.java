package dev.keyward.ca.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.SecretSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Pkcs11PinTest {
    private static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    private static final SecretSource NO_SECRETS = SecretSource.of(Map.of());

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1234\\n|1234",
        "1234\\r\\n|1234",
        "1234|1234",
        "1234\\n\\n|1234\\n",
        "' 1234 \\n'|' 1234 '",
    })
    void pinFileLosesExactlyOneTrailingNewline(String content, String expected) throws IOException {
        Path file = dir.resolve("pin");
        Files.writeString(file, content.replace("\\r", "\r").replace("\\n", "\n"));
        assertEquals(expected.replace("\\n", "\n"), new String(Pkcs11Pin.resolve(uri(file), NO_SECRETS)));
    }

    @Test
    void pinFileWinsOverEnvironment() throws IOException {
        Path file = Files.writeString(dir.resolve("pin"), "from-file\n");
        SecretSource env = SecretSource.of(Map.of(SecretSource.PKCS11_PIN_ENV, "from-env"));
        assertEquals("from-file", new String(Pkcs11Pin.resolve(uri(file), env)));
    }

    @Test
    void environmentIsUsedWithoutPinSource() {
        SecretSource env = SecretSource.of(Map.of(SecretSource.PKCS11_PIN_ENV, "from-env"));
        assertEquals("from-env", new String(Pkcs11Pin.resolve(uri(null), env)));
    }

    @Test
    void refusesMissingPinFile() {
        Path file = dir.resolve("absent.pin");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Pin.resolve(uri(file), NO_SECRETS));
        assertEquals("PIN file " + file + " for PKCS#11 token 'tok' does not exist (pin-source in the PKCS#11 URI)",
                e.getMessage());
    }

    @Test
    void missingPinFileDoesNotFallBackToEnvironment() {
        Path file = dir.resolve("absent.pin");
        SecretSource env = SecretSource.of(Map.of(SecretSource.PKCS11_PIN_ENV, "from-env"));
        assertThrows(InvalidInputException.class, () -> Pkcs11Pin.resolve(uri(file), env));
    }

    @ParameterizedTest
    @CsvSource({"''", "'\n'", "'\r\n'"})
    void refusesEmptyPinFile(String content) throws IOException {
        Path file = Files.writeString(dir.resolve("pin"), content);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Pin.resolve(uri(file), NO_SECRETS));
        assertEquals("PIN file " + file + " for PKCS#11 token 'tok' is empty", e.getMessage());
    }

    @Test
    void refusesPinFileThatIsTooLargeToBeAPin() throws IOException {
        Path file = Files.write(dir.resolve("pin"), new byte[2048]);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Pin.resolve(uri(file), NO_SECRETS));
        assertEquals("PIN file " + file + " for PKCS#11 token 'tok' is larger than 1024 bytes; it should hold only"
                + " the PIN", e.getMessage());
    }

    @Test
    void refusesWhenNoPinIsConfiguredAndNamesBothWays() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Pin.resolve(uri(null), NO_SECRETS));
        assertEquals("no PIN for PKCS#11 token 'tok': add pin-source=file:<path> to the PKCS#11 URI or set"
                + " KEYWARD_PKCS11_PIN", e.getMessage());
    }

    @Test
    void nonAsciiPinReachesSunPkcs11AsItsUtf8Bytes() throws IOException {
        Path file = Files.writeString(dir.resolve("pin"), "pé\n", StandardCharsets.UTF_8);
        // SunPKCS11 truncates each char to one byte; these chars truncate to the UTF-8 bytes of "pé".
        assertArrayEquals(new char[] {'p', (char) 0xC3, (char) 0xA9}, Pkcs11Pin.resolve(uri(file), NO_SECRETS));
    }

    @Test
    void refusesAWorldReadablePinFile() throws IOException {
        Path file = Files.writeString(dir.resolve("pin"), "1234\n");
        Pkcs11Uri uri = uri(file);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Pkcs11Pin.resolve(uri, NO_SECRETS));
        assertEquals("PIN file " + file + " for PKCS#11 token 'tok' is readable by every user; chmod 600 it (or 640"
                + " for a service group)", e.getMessage());
    }

    /** The URI for a PIN file, made private first (as a real PIN file must be). */
    private static Pkcs11Uri uri(Path pinFile) {
        if (pinFile != null && Files.exists(pinFile)) {
            try {
                Files.setPosixFilePermissions(pinFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return Pkcs11Uri.of("tok", "ca", MODULE, pinFile);
    }
}
