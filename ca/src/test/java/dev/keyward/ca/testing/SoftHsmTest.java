package dev.keyward.ca.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.pkcs11.Pkcs11Uri;
import dev.keyward.ca.pkcs11.TokenSlots;
import dev.keyward.ca.sign.SecretSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SoftHsmTest {
    private static SoftHsm.Token a;
    private static SoftHsm.Token b;

    @BeforeAll
    static void tokens() {
        a = SoftHsm.newToken();
        b = SoftHsm.newToken();
    }

    @Test
    void tokensAreFreshDistinctAndVisibleWithPrivatePinFiles() throws IOException {
        assertNotEquals(a.label(), b.label());
        assertNotEquals(a.userPin(), b.userPin());
        for (SoftHsm.Token t : new SoftHsm.Token[] {a, b}) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.pinFile())));
            assertEquals(t.label(), TokenSlots.resolve(t.modulePath(), t.label()).label());
            assertTrue(TokenObjects.privateKeys(t).isEmpty(), "a fresh token holds no keys");
        }
    }

    @Test
    void configurationPointsAtAPrivateTokenDirectory() throws IOException {
        Path conf = Path.of(System.getenv("SOFTHSM2_CONF"));
        String text = Files.readString(conf);
        assertTrue(text.contains("directories.tokendir = " + conf.resolveSibling("tokens")), text);
        assertTrue(text.contains("objectstore.backend = file"), text);
    }

    @Test
    void uriHelpersNameThePinFileOrLeaveThePinToSecrets() {
        SoftHsm.Token t = a;
        Pkcs11Uri withFile = t.uri("ca");
        assertEquals(Optional.of(t.pinFile()), withFile.pinSource());
        assertEquals(Optional.empty(), t.uriWithoutPinSource("ca").pinSource());
        assertEquals(Optional.of(t.userPin()), t.secrets().get(SecretSource.PKCS11_PIN_ENV));
    }
}
