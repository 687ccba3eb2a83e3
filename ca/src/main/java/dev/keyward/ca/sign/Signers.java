package dev.keyward.ca.sign;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.pkcs11.Pkcs11Uri;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Opens and creates CA keys from self-describing references:
 * <ul>
 * <li>{@code pkcs11:token=<label>;object=<name>?module-path=<.so>&pin-source=file:<path>} (RFC 7512) for a key
 * in a PKCS#11 token (the PIN may instead come from {@code KEYWARD_PKCS11_PIN});</li>
 * <li>{@code file:<path>} for an OpenSSH private key file (software; dev, tests and imports).</li>
 * </ul>
 */
public final class Signers {
    private Signers() {
    }

    public static CaSigner open(String keyUri, SecretSource secrets) {
        return switch (scheme(keyUri)) {
            case "file" -> SoftwareKeys.open(filePath(keyUri), secrets);
            case "pkcs11" -> Pkcs11Backend.open(keyUri, secrets);
            default -> throw unknownScheme(keyUri);
        };
    }

    /** Creates a new key; refuses to overwrite an existing one. */
    public static CaSigner create(String keyUri, CaAlgorithm algorithm, SecretSource secrets) {
        return switch (scheme(keyUri)) {
            case "file" -> SoftwareKeys.create(filePath(keyUri), algorithm, secrets);
            case "pkcs11" -> Pkcs11Backend.create(keyUri, algorithm, secrets);
            default -> throw unknownScheme(keyUri);
        };
    }

    /** Whether the key exists (the token holds a key by that name, or the file is there). */
    public static boolean exists(String keyUri, SecretSource secrets) {
        return switch (scheme(keyUri)) {
            case "file" -> Files.exists(filePath(keyUri), LinkOption.NOFOLLOW_LINKS);
            case "pkcs11" -> Pkcs11Backend.exists(keyUri, secrets);
            default -> throw unknownScheme(keyUri);
        };
    }

    /**
     * Whether a new key could not be created under this reference: the token holds a key by that name, or the
     * key file or its {@code .pub} exists (a destroyed software key leaves its {@code .pub}).
     */
    public static boolean nameTaken(String keyUri, SecretSource secrets) {
        if (scheme(keyUri).equals("file")) {
            Path p = filePath(keyUri);
            return Files.exists(p, LinkOption.NOFOLLOW_LINKS) || Files.exists(
                    p.resolveSibling(p.getFileName() + ".pub"), LinkOption.NOFOLLOW_LINKS);
        }
        return exists(keyUri, secrets);
    }

    /**
     * Destroys the private key and returns what was done, for the audit log: a token object is deleted
     * (C_DestroyObject) and its absence checked; a key file is overwritten and deleted
     * ({@link SoftwareKeys#destroy}). Refuses a key that does not exist.
     */
    public static String destroy(String keyUri, SecretSource secrets) {
        return switch (scheme(keyUri)) {
            case "file" -> SoftwareKeys.destroy(filePath(keyUri));
            case "pkcs11" -> Pkcs11Backend.destroy(keyUri, secrets);
            default -> throw unknownScheme(keyUri);
        };
    }

    /** How the key is held, read back from where it lives. */
    public static KeyProtection protection(String keyUri, SecretSource secrets) {
        return switch (scheme(keyUri)) {
            case "file" -> KeyProtection.softwareFile(filePath(keyUri).toString());
            case "pkcs11" -> Pkcs11Backend.protection(keyUri, secrets);
            default -> throw unknownScheme(keyUri);
        };
    }

    /**
     * The reference of the key named {@code name} in the same place as {@code keyUri}: the same token (label,
     * module, PIN source) for {@code pkcs11:}, the same directory for {@code file:}.
     */
    public static String sibling(String keyUri, String name) {
        return switch (scheme(keyUri)) {
            case "file" -> "file:" + filePath(keyUri).resolveSibling(name);
            case "pkcs11" -> Pkcs11Uri.parse(keyUri).withObject(name).toString();
            default -> throw unknownScheme(keyUri);
        };
    }

    static String scheme(String keyUri) {
        if (keyUri == null || keyUri.isBlank()) {
            throw new InvalidInputException("key reference is empty; use pkcs11:token=...;object=...?module-path=..."
                    + " or file:<path>");
        }
        int colon = keyUri.indexOf(':');
        return colon < 0 ? "" : keyUri.substring(0, colon);
    }

    static Path filePath(String keyUri) {
        String p = keyUri.substring("file:".length());
        if (p.startsWith("//")) { // file:///abs/path
            p = java.net.URI.create(keyUri).getPath();
        }
        if (p.isEmpty()) {
            throw new InvalidInputException("file: key reference needs a path, e.g. file:/etc/keyward/user_ca");
        }
        return Path.of(p);
    }

    private static InvalidInputException unknownScheme(String keyUri) {
        String shown = keyUri.length() > 40 ? keyUri.substring(0, 40) + "..." : keyUri;
        return new InvalidInputException("unknown key reference '" + shown
                + "'; use pkcs11:token=<label>;object=<name>?module-path=<path>&pin-source=file:<path> or file:<path>");
    }
}
