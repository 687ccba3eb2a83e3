package dev.keyward.ca.key;

import dev.keyward.ca.Sha256;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A validated SSH public key: its type, its wire blob (RFC 4253 section 6.6 / PROTOCOL.u2f) and, for display,
 * its size in bits. Instances come only from {@link PublicKeyParser}, which has checked the blob, so the
 * blob is always well-formed. Equality is by blob (the comment is not part of the key).
 */
public final class SshPublicKey {
    private final KeyType type;
    private final byte[] blob;
    private final int bits;
    private final String comment;

    SshPublicKey(KeyType type, byte[] blob, int bits, String comment) {
        this.type = Objects.requireNonNull(type);
        this.blob = blob.clone();
        this.bits = bits;
        this.comment = comment == null ? "" : comment;
    }

    public KeyType type() {
        return type;
    }

    /** A copy of the public-key blob as it appears (base64) in a public-key line. */
    public byte[] blob() {
        return blob.clone();
    }

    /** Size in bits: the modulus for RSA, the curve for ECDSA, 256 for Ed25519. */
    public int bits() {
        return bits;
    }

    public String comment() {
        return comment;
    }

    public SshPublicKey withComment(String newComment) {
        return new SshPublicKey(type, blob, bits, newComment);
    }

    /**
     * The key-specific fields of the blob, i.e. the blob without its leading type string. A certificate
     * carries exactly these between its nonce and its serial (PROTOCOL.certkeys).
     */
    public byte[] blobFieldsAfterType() {
        int skip = 4 + type.sshName().length();
        return Arrays.copyOfRange(blob, skip, blob.length);
    }

    /** {@code SHA256:<base64 without padding>}, exactly as {@code ssh-keygen -lf} prints it. */
    public String fingerprint() {
        return fingerprintOf(blob);
    }

    public static String fingerprintOf(byte[] blob) {
        byte[] digest = Sha256.of(blob);
        return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    }


    /** The OpenSSH public-key line: {@code <type> <base64 blob>[ <comment>]}. */
    public String toOpenSsh() {
        String line = type.sshName() + " " + Base64.getEncoder().encodeToString(blob);
        return comment.isEmpty() ? line : line + " " + comment;
    }

    /** The line without the comment. */
    public String toOpenSshWithoutComment() {
        return type.sshName() + " " + Base64.getEncoder().encodeToString(blob);
    }

    /** What {@code ssh-keygen -lf} prints: {@code 256 SHA256:... comment (ED25519)}. */
    public String describe() {
        return bits + " " + fingerprint() + " " + (comment.isEmpty() ? "no comment" : comment)
                + " (" + type.displayName() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SshPublicKey other && other.type == type && Arrays.equals(other.blob, blob);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
        return type.sshName() + " " + fingerprint();
    }

    static int bitLength(BigInteger n) {
        return n.bitLength();
    }
}
