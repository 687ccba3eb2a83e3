package dev.keyward.ca.sign;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.wire.SshReader;
import dev.keyward.ca.wire.SshWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * An OpenSSH signature over a message, as {@code ssh-keygen -Y sign -n NAMESPACE} makes it (PROTOCOL.sshsig):
 * <pre>
 * byte[6] "SSHSIG"; uint32 1; string publickey; string namespace; string reserved; string hash_algorithm;
 * string signature
 * </pre>
 * where {@code signature} is an SSH signature blob over
 * {@code "SSHSIG" || string(namespace) || string(reserved) || string(hash_algorithm) || string(H(message))}.
 * The namespace keeps a signature made for one purpose from being accepted for another. Verification goes through
 * {@link SshSignatures#verify}, the one place SSH signature blobs are checked.
 *
 * @param publicKey     the key that signed (a plain public key; certificates are refused)
 * @param namespace     what the signature is for
 * @param hashAlgorithm {@code sha256} or {@code sha512}
 * @param signature     the SSH signature blob
 */
public record SshSig(SshPublicKey publicKey, String namespace, String hashAlgorithm, byte[] signature) {
    /**
     * The namespace of Keyward's host-credential renewal: the agent signs the server's challenge in it and the
     * server accepts no other, so a host-key signature made for anything else never renews a credential.
     */
    public static final String HOST_CREDENTIAL_NAMESPACE = "host-credential@keyward.dev";
    static final byte[] MAGIC = "SSHSIG".getBytes(StandardCharsets.US_ASCII);
    static final String BEGIN = "-----BEGIN SSH SIGNATURE-----";
    static final String END = "-----END SSH SIGNATURE-----";
    /** Far above any real signature (an RSA-16384 key and signature are ~4 KiB). */
    static final int MAX_BYTES = 16 * 1024;

    public SshSig {
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /**
     * Parses the armored form ssh-keygen writes ({@code -----BEGIN SSH SIGNATURE-----}, base64 lines,
     * {@code -----END SSH SIGNATURE-----}) or the bare base64 of the blob. Anything malformed is an
     * {@link InvalidInputException} saying what.
     */
    public static SshSig parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("signature is empty");
        }
        String s = text.strip();
        if (s.length() > MAX_BYTES * 2) {
            throw new InvalidInputException("signature is too long");
        }
        if (s.startsWith(BEGIN)) {
            int end = s.indexOf(END);
            if (end < 0 || !s.substring(end + END.length()).isBlank()) {
                throw new InvalidInputException("signature armor must end with the line " + END);
            }
            s = s.substring(BEGIN.length(), end);
        }
        byte[] blob;
        try {
            blob = Base64.getMimeDecoder().decode(strictBase64(s));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("signature is not valid base64");
        }
        return parseBlob(blob);
    }

    /** Only base64 characters and line breaks: the MIME decoder would otherwise skip any junk silently. */
    private static String strictBase64(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
                    || c == '/' || c == '=' || c == '\n' || c == '\r';
            if (!ok) {
                throw new IllegalArgumentException();
            }
        }
        return s;
    }

    /** Parses the binary blob (PROTOCOL.sshsig section 2). */
    public static SshSig parseBlob(byte[] blob) {
        if (blob.length > MAX_BYTES) {
            throw new InvalidInputException("signature is too long");
        }
        SshReader r = new SshReader(blob, "SSH signature");
        byte[] magic = r.raw(Math.min(MAGIC.length, blob.length), "magic");
        if (!MessageDigest.isEqual(magic, MAGIC)) {
            throw new InvalidInputException("signature is not an SSH signature (no SSHSIG preamble)");
        }
        long version = r.uint32("version");
        if (version != 1) {
            throw new InvalidInputException("SSH signature version " + version + " is not supported (only 1)");
        }
        SshPublicKey key = PublicKeyParser.withDefaults().parseBlob(r.string("public key"));
        String namespace = r.utf8("namespace");
        r.string("reserved"); // PROTOCOL.sshsig: reserved for future use; OpenSSH ignores its contents too
        String hash = r.utf8("hash algorithm");
        byte[] sig = r.string("signature");
        r.expectEnd();
        if (namespace.isEmpty()) {
            throw new InvalidInputException("SSH signature has an empty namespace");
        }
        if (!hash.equals("sha256") && !hash.equals("sha512")) {
            throw new InvalidInputException("SSH signature hash algorithm must be sha256 or sha512, got '"
                    + printable(hash) + "'");
        }
        return new SshSig(key, namespace, hash, sig);
    }

    /**
     * Whether this is a valid signature by {@link #publicKey} over {@code message} in {@code expectedNamespace}.
     * A signature for another namespace, or an RSA signature with SHA-1 (PROTOCOL.sshsig allows only
     * rsa-sha2-256 and rsa-sha2-512, as sshsig.c checks), is an {@link InvalidInputException}; a signature that
     * does not verify is {@code false}.
     */
    public boolean verify(byte[] message, String expectedNamespace) {
        if (!namespace.equals(expectedNamespace)) {
            throw new InvalidInputException("the signature is for namespace '" + printable(namespace) + "', not '"
                    + expectedNamespace + "'");
        }
        String alg = new SshReader(signature, "signature").utf8("signature algorithm");
        if (alg.equals(SignatureAlgorithm.SSH_RSA.sshName())) {
            throw new InvalidInputException("RSA SSH signatures must use rsa-sha2-256 or rsa-sha2-512, not ssh-rsa"
                    + " (SHA-1)");
        }
        byte[] signed = new SshWriter(128).bytes(MAGIC).string(namespace).string(new byte[0]).string(hashAlgorithm)
                .string(digest(hashAlgorithm, message)).toByteArray();
        return SshSignatures.verify(publicKey, signed, signature);
    }

    private static byte[] digest(String alg, byte[] message) {
        try {
            return MessageDigest.getInstance(alg.equals("sha256") ? "SHA-256" : "SHA-512").digest(message);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK lacks " + alg, e);
        }
    }

    private static String printable(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 64 ? p.substring(0, 64) + "..." : p;
    }
}
