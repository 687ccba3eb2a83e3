package dev.keyward.ca.pkcs11;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.SecretSource;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A reference to a CA key in a PKCS#11 token, written as an RFC 7512 URI:
 * <pre>
 *   pkcs11:token=&lt;token label&gt;;object=&lt;key name&gt;?module-path=&lt;module .so&gt;[&amp;pin-source=file:&lt;pin file&gt;]
 * </pre>
 * Path attributes are separated by {@code ;}, query attributes by {@code &amp;} (RFC 7512 section 2.3); values
 * are percent-decoded as UTF-8 (section 2.3: "pk11-pchar ... pct-encoded"). Only the attributes Keyward uses
 * are accepted; any other, or one given twice, is refused rather than silently ignored, so a URI never selects
 * a different key than its author meant.
 * <p>
 * {@code pin-value} (section 2.4) is refused: a PIN in a URI ends up in shell history, process listings and
 * configuration files. The PIN comes from {@code pin-source} or {@link SecretSource#PKCS11_PIN_ENV}
 * (see {@link Pkcs11Pin}). Hence {@link #toString()} never contains a secret.
 * <p>
 * The key name maps to the alias of the SunPKCS11 key store (the private key's CKA_ID); see the package docs.
 */
public final class Pkcs11Uri {
    private static final String SCHEME = "pkcs11:";
    /** CK_TOKEN_INFO.label is 32 bytes, blank-padded (PKCS#11 base specification, section 3.2). */
    static final int MAX_TOKEN_LABEL_BYTES = 32;
    private static final int MAX_URI_LENGTH = 4096;
    /** Unencoded in path values besides unreserved characters: RFC 7512 pk11-res-avail and "&amp;". */
    private static final String PATH_SAFE = ":[]@!$'()*+,=&";
    /** Unencoded in query values besides unreserved characters: RFC 7512 pk11-res-avail, "/", "?" and "|". */
    private static final String QUERY_SAFE = ":[]@!$'()*+,=/?|";

    private final String token;
    private final String object;
    private final Path modulePath;
    private final Path pinSource;

    private Pkcs11Uri(String token, String object, Path modulePath, Path pinSource) {
        this.token = token;
        this.object = object;
        this.modulePath = modulePath;
        this.pinSource = pinSource;
        // the canonical text is what gets written back (configuration, key references): it must parse again, and
        // percent-encoding makes it up to nine times the characters it encodes
        int length = toString().length();
        if (length > MAX_URI_LENGTH) {
            throw new InvalidInputException("PKCS#11 URI is too long (" + length + " characters once percent-encoded;"
                    + " at most " + MAX_URI_LENGTH + ")");
        }
    }

    /**
     * Builds a URI from its parts, with the same checks as {@link #parse(String)}.
     *
     * @param pinSource the PIN file, or null to take the PIN from {@link SecretSource#PKCS11_PIN_ENV}
     */
    public static Pkcs11Uri of(String token, String object, Path modulePath, Path pinSource) {
        return new Pkcs11Uri(checkToken(token), checkObject(object), checkModule(modulePath),
                pinSource == null ? null : pinSource.normalize());
    }

    /** Parses an RFC 7512 URI; throws {@link InvalidInputException} naming what is wrong. */
    public static Pkcs11Uri parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new InvalidInputException("PKCS#11 URI is empty; expected " + example());
        }
        uri = uri.strip(); // a URI read from a file or an environment variable may carry a newline
        if (uri.length() > MAX_URI_LENGTH) {
            throw new InvalidInputException("PKCS#11 URI is too long (" + uri.length() + " characters)");
        }
        if (!uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new InvalidInputException("not a PKCS#11 URI (must start with 'pkcs11:'); expected " + example());
        }
        String rest = uri.substring(SCHEME.length());
        int q = rest.indexOf('?');
        String pathPart = q < 0 ? rest : rest.substring(0, q);
        String queryPart = q < 0 ? "" : rest.substring(q + 1);
        Map<String, String> query = attributes(queryPart, '&', "query");
        Map<String, String> path = attributes(pathPart, ';', "path");
        for (String name : path.keySet()) {
            if (!name.equals("token") && !name.equals("object")) {
                throw new InvalidInputException("PKCS#11 URI attribute '" + name + "' is not supported; Keyward uses"
                        + " token=<label>;object=<key name> in the path");
            }
        }
        for (String name : query.keySet()) {
            if (!name.equals("module-path") && !name.equals("pin-source")) {
                throw new InvalidInputException("PKCS#11 URI query attribute '" + name + "' is not supported; Keyward"
                        + " uses module-path=<path to the module .so> and pin-source=file:<path>");
            }
        }
        String token = path.get("token");
        String object = path.get("object");
        if (token == null) {
            throw new InvalidInputException("PKCS#11 URI needs token=<token label>; expected " + example());
        }
        if (object == null) {
            throw new InvalidInputException("PKCS#11 URI needs object=<key name>; expected " + example());
        }
        String module = query.get("module-path");
        if (module == null) {
            throw new InvalidInputException("PKCS#11 URI needs module-path=<path to the PKCS#11 module .so>, e.g."
                    + " module-path=/usr/lib/softhsm/libsofthsm2.so");
        }
        String pinSource = query.get("pin-source");
        return new Pkcs11Uri(checkToken(token), checkObject(object), checkModule(toPath(module, "module-path")),
                pinSource == null ? null : pinFile(pinSource));
    }

    /** Token label (CKA_LABEL of the token, i.e. CK_TOKEN_INFO.label without its blank padding). */
    public String token() {
        return token;
    }

    /** Key name: the key store alias of the CA key. */
    public String object() {
        return object;
    }

    /** Absolute path of the PKCS#11 module (the vendor's .so). */
    public Path modulePath() {
        return modulePath;
    }

    /** The file holding the user PIN, if the URI names one. */
    public Optional<Path> pinSource() {
        return Optional.ofNullable(pinSource);
    }

    /** The same token and module with another key name. */
    public Pkcs11Uri withObject(String newObject) {
        return new Pkcs11Uri(token, checkObject(newObject), modulePath, pinSource);
    }

    /** The canonical URI text. It holds no secret: a pin-source is a path, and pin-value is never accepted. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(SCHEME)
                .append("token=").append(encode(token, PATH_SAFE))
                .append(";object=").append(encode(object, PATH_SAFE))
                .append("?module-path=").append(encode(modulePath.toString(), QUERY_SAFE));
        if (pinSource != null) {
            sb.append("&pin-source=file:").append(encode(pinSource.toString(), QUERY_SAFE));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pkcs11Uri u && token.equals(u.token) && object.equals(u.object)
                && modulePath.equals(u.modulePath) && Objects.equals(pinSource, u.pinSource);
    }

    @Override
    public int hashCode() {
        return Objects.hash(token, object, modulePath, pinSource);
    }

    private static String example() {
        return "pkcs11:token=<token label>;object=<key name>?module-path=<path to module .so>&pin-source=file:<pin file>";
    }

    /** Splits {@code a=1;b=2} (or with '&amp;'), percent-decoding values; refuses duplicates and empty names. */
    private static Map<String, String> attributes(String part, char separator, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (part.isEmpty()) {
            return out;
        }
        for (String attr : part.split(String.valueOf(separator), -1)) {
            if (attr.isEmpty()) {
                continue; // tolerate "pkcs11:token=a;;object=b" and a trailing separator
            }
            int eq = attr.indexOf('=');
            if (eq <= 0) {
                // Not echoed: a malformed query attribute might be a secret typed in the wrong place.
                throw new InvalidInputException("PKCS#11 URI " + where + " has an attribute that is not of the"
                        + " form name=value");
            }
            String name = attr.substring(0, eq);
            if (name.equals("pin-value")) { // refused before anything else, and its value is never echoed
                throw new InvalidInputException("PKCS#11 URI must not contain pin-value: a PIN does not belong in a"
                        + " URI or on a command line; use pin-source=file:<path> or set " + SecretSource.PKCS11_PIN_ENV);
            }
            if (out.containsKey(name)) {
                throw new InvalidInputException("PKCS#11 URI attribute '" + name + "' is given more than once");
            }
            out.put(name, percentDecode(attr.substring(eq + 1), name));
        }
        return out;
    }

    private static String percentDecode(String s, String attribute) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new InvalidInputException("PKCS#11 URI attribute '" + attribute
                            + "' has a bad percent-encoding: '%' must be followed by two hex digits");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    utf8 = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(utf8);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("PKCS#11 URI attribute '" + attribute + "' is not valid UTF-8 after"
                    + " percent-decoding");
        }
    }

    private static String encode(String value, String safe) {
        StringBuilder sb = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean unreserved = c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0);
            if (unreserved || (c < 0x80 && safe.indexOf(c) >= 0)) {
                sb.append(c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    private static String checkToken(String token) {
        checkText(token, "token");
        if (token.getBytes(StandardCharsets.UTF_8).length > MAX_TOKEN_LABEL_BYTES) {
            throw new InvalidInputException("PKCS#11 token label '" + token + "' is longer than "
                    + MAX_TOKEN_LABEL_BYTES + " bytes, which no token can have");
        }
        if (!token.equals(token.strip())) {
            throw new InvalidInputException("PKCS#11 token label '" + token
                    + "' has leading or trailing blanks, which no token label can have");
        }
        return token;
    }

    private static String checkObject(String object) {
        return checkText(object, "object");
    }

    private static String checkText(String value, String attribute) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("PKCS#11 URI attribute '" + attribute + "' must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new InvalidInputException("PKCS#11 URI attribute '" + attribute
                        + "' must not contain control characters");
            }
        }
        return value;
    }

    private static Path checkModule(Path module) {
        Objects.requireNonNull(module, "module path");
        if (!module.isAbsolute()) {
            throw new InvalidInputException("PKCS#11 module-path '" + module + "' must be an absolute path, e.g."
                    + " /usr/lib/softhsm/libsofthsm2.so");
        }
        String s = module.toString();
        // The path goes into a SunPKCS11 configuration as a quoted string, which cannot hold these.
        if (s.indexOf('"') >= 0 || s.indexOf('\\') >= 0 || s.contains("${") || s.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("PKCS#11 module-path must not contain quotes, backslashes, '${' or"
                    + " control characters");
        }
        return module.normalize();
    }

    /**
     * RFC 7512 leaves the pin-source format to implementations but recommends a file URI: {@code file:/abs},
     * {@code file:///abs}, {@code file://localhost/abs} and {@code file:relative} are accepted. Command
     * sources ({@code |program}) are not.
     */
    private static Path pinFile(String value) {
        if (!value.startsWith("file:")) {
            throw new InvalidInputException("PKCS#11 URI pin-source must be a file, e.g. pin-source=file:/etc/keyward/pin;"
                    + " or leave it out and set " + SecretSource.PKCS11_PIN_ENV);
        }
        String p = value.substring("file:".length());
        if (p.startsWith("//")) {
            if (p.startsWith("///")) {
                p = p.substring(2);
            } else if (p.startsWith("//localhost/")) {
                p = p.substring("//localhost".length());
            } else {
                throw new InvalidInputException("PKCS#11 URI pin-source must name a local file (file:/path)");
            }
        }
        if (p.isEmpty()) {
            throw new InvalidInputException("PKCS#11 URI pin-source names no file; use pin-source=file:<path>");
        }
        return toPath(p, "pin-source").normalize();
    }

    private static Path toPath(String s, String attribute) {
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw new InvalidInputException("PKCS#11 URI " + attribute + " is not a valid path: " + e.getReason());
        }
    }
}
