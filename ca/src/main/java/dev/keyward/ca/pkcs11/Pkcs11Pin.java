package dev.keyward.ca.pkcs11;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.SecretSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Finds the user PIN for a token: the URI's {@code pin-source} file (RFC 7512 section 2.4) if it names one,
 * else {@link SecretSource#PKCS11_PIN_ENV}. PINs never come from a URI's {@code pin-value} or a command line,
 * and never appear in messages.
 */
public final class Pkcs11Pin {
    /** A PIN file larger than this is not a PIN file (and is not read into memory). */
    private static final long MAX_PIN_FILE_BYTES = 1024;

    private Pkcs11Pin() {
    }

    /**
     * The PIN for {@code uri}, as characters ready for SunPKCS11 (see {@link #forSunPkcs11(byte[])}).
     * The caller should clear the array after use.
     */
    public static char[] resolve(Pkcs11Uri uri, SecretSource secrets) {
        Optional<Path> file = uri.pinSource();
        if (file.isPresent()) {
            return fromFile(file.get(), uri.token());
        }
        Optional<String> env = secrets.get(SecretSource.PKCS11_PIN_ENV);
        if (env.isPresent() && !env.get().isEmpty()) {
            return forSunPkcs11(env.get().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        throw new InvalidInputException("no PIN for PKCS#11 token '" + uri.token() + "': add pin-source=file:<path> to"
                + " the PKCS#11 URI or set " + SecretSource.PKCS11_PIN_ENV);
    }

    private static char[] fromFile(Path file, String token) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_PIN_FILE_BYTES) {
                throw new InvalidInputException("PIN file " + file + " for PKCS#11 token '" + token
                        + "' is larger than " + MAX_PIN_FILE_BYTES + " bytes; it should hold only the PIN");
            }
            // Like ssh with private keys: a PIN that every local user can read is not a secret any more.
            if (Files.getPosixFilePermissions(file).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                throw new InvalidInputException("PIN file " + file + " for PKCS#11 token '" + token
                        + "' is readable by every user; chmod 600 it (or 640 for a service group)");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("PIN file " + file + " for PKCS#11 token '" + token + "' does not exist"
                    + " (pin-source in the PKCS#11 URI)");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read PIN file " + file + " for PKCS#11 token '" + token + "': "
                    + e.getClass().getSimpleName());
        }
        try {
            int len = bytes.length;
            // One trailing newline is what `echo PIN > file` and editors leave; anything else is part of the PIN.
            if (len > 0 && bytes[len - 1] == '\n') {
                len--;
                if (len > 0 && bytes[len - 1] == '\r') {
                    len--;
                }
            }
            if (len == 0) {
                throw new InvalidInputException("PIN file " + file + " for PKCS#11 token '" + token + "' is empty");
            }
            return forSunPkcs11(Arrays.copyOf(bytes, len));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * PKCS#11 PINs are CK_UTF8CHAR strings. SunPKCS11's native layer turns each Java {@code char} of a PIN into
     * one byte by truncation, so a non-ASCII PIN must be handed over as its UTF-8 bytes, one per char, to
     * reach the token as the same bytes that {@code pkcs11-tool} or {@code ssh-keygen -D} send. Clears
     * {@code utf8}.
     */
    static char[] forSunPkcs11(byte[] utf8) {
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            out[i] = (char) (utf8[i] & 0xff);
        }
        Arrays.fill(utf8, (byte) 0);
        return out;
    }
}
