package dev.keyward.cli.oidc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Proof Key for Code Exchange (RFC 7636): a fresh {@code code_verifier} per sign-in and its S256
 * {@code code_challenge}. Also makes the {@code state} and {@code nonce} values: 256 random bits each, base64url.
 */
record Pkce(String verifier, String challenge) {
    static final String METHOD = "S256";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String toString() {
        return "Pkce[hidden]";
    }

    static Pkce create() {
        String verifier = random(); // 43 characters of [A-Za-z0-9_-]: RFC 7636 section 4.1 asks for 43 to 128
        return new Pkce(verifier, challenge(verifier));
    }

    /** BASE64URL(SHA256(ASCII(code_verifier))), RFC 7636 section 4.2. */
    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** 32 random bytes, base64url without padding. */
    static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
