package dev.keyward.ca.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.pkcs11.Pkcs11Uri;
import java.nio.charset.StandardCharsets;

/** RFC 7512 key references ({@link Pkcs11Uri}); only {@link InvalidInputException} may escape the parser. */
class Pkcs11UriFuzzTest {
    /**
     * An accepted URI names the same key in its canonical text, built from its parts, and with its key name
     * replaced by itself: a reference never points elsewhere once written back to a configuration file.
     */
    @FuzzTest
    void uri(byte[] data) {
        Pkcs11Uri uri;
        try {
            uri = Pkcs11Uri.parse(new String(data, StandardCharsets.UTF_8));
        } catch (InvalidInputException e) {
            return;
        }
        String canonical = uri.toString();
        Pkcs11Uri again = Pkcs11Uri.parse(canonical);
        assertEquals(uri, again);
        assertEquals(uri.hashCode(), again.hashCode());
        assertEquals(canonical, again.toString());
        assertEquals(uri, Pkcs11Uri.of(uri.token(), uri.object(), uri.modulePath(), uri.pinSource().orElse(null)));
        assertEquals(uri, uri.withObject(uri.object()));
    }
}
