package dev.keyward.ca;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 with one {@link MessageDigest} per thread: {@code MessageDigest.getInstance}'s provider lookup costs more
 * than hashing the short inputs we hash (key blobs, API tokens, audit entries) on every request.
 */
public final class Sha256 {
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    });

    private Sha256() {
    }

    /** The digest of the concatenation of {@code parts}. */
    public static byte[] of(byte[]... parts) {
        MessageDigest md = DIGEST.get();
        md.reset(); // in case an earlier caller failed half-way
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest(); // digest() also resets it for the next use
    }

    /** The digest of the concatenation of {@code parts}, as lower-case hex. */
    public static String hex(byte[]... parts) {
        return java.util.HexFormat.of().formatHex(of(parts));
    }
}
