package dev.keyward.web.auth;

import dev.keyward.ca.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API token secrets: {@value #PREFIX} followed by 256 random bits in unpadded base64url (43 characters). Only the
 * SHA-256 of the whole string is stored. A plain hash (not a slow KDF) is right here: the secret has 256 bits
 * of entropy, so there is nothing to brute-force, and lookups stay one index probe.
 */
public final class ApiTokenSecrets {
    public static final String PREFIX = "kwt_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiTokenSecrets() {
    }

    public static String generate() {
        return PREFIX + random();
    }

    /** 256 random bits, unpadded base64url (43 characters): the secret part of tokens and console sessions. */
    public static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String hash(String secret) {
        return HexFormat.of().formatHex(Sha256.of(secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether {@code s} has the shape of a token (cheap check before any database lookup). */
    public static boolean looksLikeToken(String s) {
        return s.startsWith(PREFIX) && s.length() == PREFIX.length() + 43
                && base64UrlFrom(s, PREFIX.length());
    }

    private static boolean base64UrlFrom(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
