package dev.keyward.ca.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.keyward.ca.InvalidInputException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class Pkcs11UriTest {
    private static final String MODULE = "/usr/lib/softhsm/libsofthsm2.so";

    @Test
    void parsesTokenObjectModuleAndPinSource() {
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=keyward;object=user-ca?module-path=" + MODULE
                + "&pin-source=file:/etc/keyward/pin");
        assertEquals("keyward", uri.token());
        assertEquals("user-ca", uri.object());
        assertEquals(Path.of(MODULE), uri.modulePath());
        assertEquals(Optional.of(Path.of("/etc/keyward/pin")), uri.pinSource());
    }

    @Test
    void pinSourceIsOptional() {
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=t;object=o?module-path=" + MODULE);
        assertEquals(Optional.empty(), uri.pinSource());
    }

    @Test
    void attributesMayComeInAnyOrder() {
        Pkcs11Uri a = Pkcs11Uri.parse("pkcs11:object=o;token=t?pin-source=file:/p&module-path=" + MODULE);
        Pkcs11Uri b = Pkcs11Uri.parse("pkcs11:token=t;object=o?module-path=" + MODULE + "&pin-source=file:/p");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    @Test
    void percentDecodesValuesAsUtf8() {
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=My%20Token;object=caf%C3%A9%3Bkey?module-path=/opt/hsm%20lib/p11.so"
                + "&pin-source=file:/etc/key%26ward/pin");
        assertEquals("My Token", uri.token());
        assertEquals("café;key", uri.object());
        assertEquals(Path.of("/opt/hsm lib/p11.so"), uri.modulePath());
        assertEquals(Optional.of(Path.of("/etc/key&ward/pin")), uri.pinSource());
    }

    /** Found by Pkcs11UriFuzzTest: a URI whose canonical (percent-encoded) text was too long to parse again. */
    @Test
    void uriWhoseCanonicalTextIsTooLongIsRefused() {
        String object = "\u00e9".repeat(700); // 700 characters, 4200 once percent-encoded as %C3%A9
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Uri.parse("pkcs11:token=t;object=" + object + "?module-path=" + MODULE));
        assertTrue(e.getMessage().startsWith("PKCS#11 URI is too long"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Pkcs11Uri.of("t", object, Path.of(MODULE), null));
        String fits = "\u00e9".repeat(600);
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=t;object=" + fits + "?module-path=" + MODULE);
        assertEquals(uri, Pkcs11Uri.parse(uri.toString()));
    }

    @Test
    void valuesMayContainEqualsSigns() {
        assertEquals("a=b", Pkcs11Uri.parse("pkcs11:token=a=b;object=o?module-path=" + MODULE).token());
    }

    @ParameterizedTest
    @CsvSource({
        "file:/run/pin, /run/pin",
        "file:///run/pin, /run/pin",
        "file://localhost/run/pin, /run/pin",
        "file:pins/ca.pin, pins/ca.pin",
    })
    void acceptsFileUriFormsForPinSource(String pinSource, String expected) {
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=t;object=o?module-path=" + MODULE + "&pin-source=" + pinSource);
        assertEquals(Optional.of(Path.of(expected)), uri.pinSource());
    }

    @Test
    void schemeIsCaseInsensitive() {
        assertEquals("t", Pkcs11Uri.parse("PKCS11:token=t;object=o?module-path=" + MODULE).token());
    }

    @Test
    void toStringRoundTripsAndEncodesDelimiters() {
        Pkcs11Uri uri = Pkcs11Uri.of("My Token;1", "ca/key?&%é", Path.of("/opt/hsm lib/p11.so"), Path.of("/run/a&b pin"));
        String text = uri.toString();
        assertEquals("pkcs11:token=My%20Token%3B1;object=ca%2Fkey%3F&%25%C3%A9"
                + "?module-path=/opt/hsm%20lib/p11.so&pin-source=file:/run/a%26b%20pin", text);
        assertEquals(uri, Pkcs11Uri.parse(text));
    }

    @Test
    void withObjectKeepsTokenModuleAndPinSource() {
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=t;object=old?module-path=" + MODULE + "&pin-source=file:/p");
        assertEquals(Pkcs11Uri.parse("pkcs11:token=t;object=new?module-path=" + MODULE + "&pin-source=file:/p"),
                uri.withObject("new"));
    }

    @Test
    void refusesPinValueWithoutEchoingIt() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Pkcs11Uri.parse(
                "pkcs11:token=t;object=o?module-path=" + MODULE + "&pin-value=s3cr3t-1234"));
        assertEquals("PKCS#11 URI must not contain pin-value: a PIN does not belong in a URI or on a command line;"
                + " use pin-source=file:<path> or set KEYWARD_PKCS11_PIN", e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"));
    }

    @Test
    void refusesPinValueInThePathToo() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Pkcs11Uri.parse(
                "pkcs11:token=t;object=o;pin-value=s3cr3t?module-path=" + MODULE));
        assertTrue(e.getMessage().startsWith("PKCS#11 URI must not contain pin-value"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"));
    }

    @Test
    void refusesRepeatedPinValueAsPinValue() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Pkcs11Uri.parse(
                "pkcs11:token=t;object=o?pin-value=1&pin-value=2&module-path=" + MODULE));
        assertTrue(e.getMessage().startsWith("PKCS#11 URI must not contain pin-value"), e.getMessage());
    }

    @Test
    void ignoresSurroundingWhitespace() {
        assertEquals("o", Pkcs11Uri.parse("  pkcs11:token=t;object=o?module-path=" + MODULE + "\n").object());
    }

    @Test
    void refusesMalformedQueryAttributeWithoutEchoingIt() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Pkcs11Uri.parse(
                "pkcs11:token=t;object=o?module-path=" + MODULE + "&s3cr3t"));
        assertEquals("PKCS#11 URI query has an attribute that is not of the form name=value", e.getMessage());
    }

    static Stream<Arguments> badUris() {
        String expected = "pkcs11:token=<token label>;object=<key name>?module-path=<path to module .so>"
                + "&pin-source=file:<pin file>";
        return Stream.of(
                arguments("",
                        "PKCS#11 URI is empty; expected " + expected),
                arguments("token=t;object=o?module-path=/m.so",
                        "not a PKCS#11 URI (must start with 'pkcs11:'); expected " + expected),
                arguments("pkcs11:object=o?module-path=/m.so",
                        "PKCS#11 URI needs token=<token label>; expected " + expected),
                arguments("pkcs11:token=t?module-path=/m.so",
                        "PKCS#11 URI needs object=<key name>; expected " + expected),
                arguments("pkcs11:token=t;object=o",
                        "PKCS#11 URI needs module-path=<path to the PKCS#11 module .so>, e.g. module-path=/usr/lib/softhsm/libsofthsm2.so"),
                arguments("pkcs11:token=t;object=o?module-path=lib/m.so",
                        "PKCS#11 module-path 'lib/m.so' must be an absolute path, e.g. /usr/lib/softhsm/libsofthsm2.so"),
                arguments("pkcs11:token=t;object=o?module-path=/a%22b.so",
                        "PKCS#11 module-path must not contain quotes, backslashes, '${' or control characters"),
                arguments("pkcs11:token=t;object=o;id=%01?module-path=/m.so",
                        "PKCS#11 URI attribute 'id' is not supported; Keyward uses token=<label>;object=<key name> in the path"),
                arguments("pkcs11:token=t;object=o?module-name=softhsm2",
                        "PKCS#11 URI query attribute 'module-name' is not supported; Keyward uses module-path=<path to the module .so> and pin-source=file:<path>"),
                arguments("pkcs11:token=t;token=u;object=o?module-path=/m.so",
                        "PKCS#11 URI attribute 'token' is given more than once"),
                arguments("pkcs11:token=t;object=o?module-path=/m.so&module-path=/n.so",
                        "PKCS#11 URI attribute 'module-path' is given more than once"),
                arguments("pkcs11:token=t;object?module-path=/m.so",
                        "PKCS#11 URI path has an attribute that is not of the form name=value"),
                arguments("pkcs11:token=t;object=o%2?module-path=/m.so",
                        "PKCS#11 URI attribute 'object' has a bad percent-encoding: '%' must be followed by two hex digits"),
                arguments("pkcs11:token=t;object=o%zz?module-path=/m.so",
                        "PKCS#11 URI attribute 'object' has a bad percent-encoding: '%' must be followed by two hex digits"),
                arguments("pkcs11:token=t;object=%C3?module-path=/m.so",
                        "PKCS#11 URI attribute 'object' is not valid UTF-8 after percent-decoding"),
                arguments("pkcs11:token=t;object=?module-path=/m.so",
                        "PKCS#11 URI attribute 'object' must not be empty"),
                arguments("pkcs11:token=;object=o?module-path=/m.so",
                        "PKCS#11 URI attribute 'token' must not be empty"),
                arguments("pkcs11:token=t;object=a%0Ab?module-path=/m.so",
                        "PKCS#11 URI attribute 'object' must not contain control characters"),
                arguments("pkcs11:token=%20t;object=o?module-path=/m.so",
                        "PKCS#11 token label ' t' has leading or trailing blanks, which no token label can have"),
                arguments("pkcs11:token=t;object=o?module-path=/m.so&pin-source=/etc/pin",
                        "PKCS#11 URI pin-source must be a file, e.g. pin-source=file:/etc/keyward/pin; or leave it out and set KEYWARD_PKCS11_PIN"),
                arguments("pkcs11:token=t;object=o?module-path=/m.so&pin-source=%7Ccat%20/etc/pin",
                        "PKCS#11 URI pin-source must be a file, e.g. pin-source=file:/etc/keyward/pin; or leave it out and set KEYWARD_PKCS11_PIN"),
                arguments("pkcs11:token=t;object=o?module-path=/m.so&pin-source=file://vault/pin",
                        "PKCS#11 URI pin-source must name a local file (file:/path)"),
                arguments("pkcs11:token=t;object=o?module-path=/m.so&pin-source=file:",
                        "PKCS#11 URI pin-source names no file; use pin-source=file:<path>")
        );
    }

    @ParameterizedTest
    @MethodSource("badUris")
    void refusesBadUris(String uri, String message) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Pkcs11Uri.parse(uri));
        assertEquals(message, e.getMessage());
    }

    @Test
    void refusesTokenLabelLongerThanPkcs11Allows() {
        String label = "a".repeat(33);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Uri.parse("pkcs11:token=" + label + ";object=o?module-path=" + MODULE));
        assertEquals("PKCS#11 token label '" + label + "' is longer than 32 bytes, which no token can have",
                e.getMessage());
    }

    @Test
    void acceptsTokenLabelOfExactly32Bytes() {
        assertEquals(32, Pkcs11Uri.parse("pkcs11:token=" + "a".repeat(32) + ";object=o?module-path=" + MODULE)
                .token().length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void ofRefusesBlankObjectNames(String object) {
        Path module = Path.of(MODULE);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Uri.of("t", object, module, null));
        assertTrue(e.getMessage().startsWith("PKCS#11 URI attribute 'object' must not"), e.getMessage());
    }
}
