package dev.keyward.web.testing;

import dev.keyward.ca.wire.SshWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;

/**
 * Fresh subject public keys as OpenSSH lines, generated in-process (no ssh-keygen per key) for tests and load
 * generators that need many distinct keys and never log in with them.
 */
public final class SshKeyLines {
    private SshKeyLines() {
    }

    /** A new {@code ssh-ed25519 AAAA... comment} line (RFC 8709: string "ssh-ed25519", string key). */
    public static String ed25519(String comment) {
        try {
            byte[] spki = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
            byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length); // SPKI ends with the 32-byte key
            byte[] blob = new SshWriter().string("ssh-ed25519").string(raw).toByteArray();
            return "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob) + " " + comment;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519 key generator", e);
        }
    }
}
