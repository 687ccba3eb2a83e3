package dev.keyward.ca.key;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.wire.SshReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Parses and validates SSH public keys: public-key lines ({@code type base64 [comment]}) and raw blobs.
 *
 * <p>Rejected with a message a person can act on: DSA, RSA below the policy minimum (or above 16384 bits,
 * OpenSSH's limit), EC points not on their curve (or the point at infinity, or compressed points), Ed25519
 * keys that are not valid curve points, a blob type that disagrees with the line's type, truncated blobs,
 * trailing bytes and input over 16 KiB.
 */
public final class PublicKeyParser {
    /** Longest input accepted (a line or a blob); a 16384-bit RSA key is about 2.8 KiB of base64. */
    public static final int MAX_INPUT_BYTES = 16 * 1024;

    private final KeyPolicy policy;

    public PublicKeyParser(KeyPolicy policy) {
        this.policy = policy;
    }

    public static PublicKeyParser withDefaults() {
        return new PublicKeyParser(KeyPolicy.DEFAULT);
    }

    public KeyPolicy policy() {
        return policy;
    }

    /** Parses one OpenSSH public-key line: {@code <type> <base64> [comment]}. */
    public SshPublicKey parseLine(String line) {
        if (line == null) {
            throw new InvalidInputException("public key is missing");
        }
        if (line.length() > MAX_INPUT_BYTES) {
            throw new InvalidInputException("public key is too long (" + line.length() + " characters; at most "
                    + MAX_INPUT_BYTES + ")");
        }
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidInputException("public key is empty");
        }
        String[] parts = splitFields(trimmed);
        if (parts.length < 2) {
            throw new InvalidInputException("public key line needs a key type and a base64 key: '"
                    + abbreviate(trimmed) + "'");
        }
        String typeName = parts[0];
        checkTypeName(typeName);
        byte[] blob = decodeBase64(parts[1]);
        SshPublicKey key = parseBlob(blob);
        if (!key.type().sshName().equals(typeName)) {
            throw new InvalidInputException("public key line says " + typeName + " but the key inside is "
                    + key.type().sshName());
        }
        String comment = parts.length == 3 ? parts[2].strip() : "";
        return key.withComment(comment);
    }

    /** Parses a public-key blob (the decoded base64 of a public-key line). */
    public SshPublicKey parseBlob(byte[] blob) {
        if (blob.length > MAX_INPUT_BYTES) {
            throw new InvalidInputException("public key is too long (" + blob.length + " bytes; at most "
                    + MAX_INPUT_BYTES + ")");
        }
        SshReader r = new SshReader(blob, "public key");
        String typeName = new String(r.string("key type"), StandardCharsets.US_ASCII);
        checkTypeName(typeName);
        KeyType type = KeyType.fromSshName(typeName).orElseThrow();
        int bits;
        switch (type) {
            case ED25519, SK_ED25519 -> {
                byte[] pk = r.string("Ed25519 public key");
                if (pk.length != 32) {
                    throw new InvalidInputException("Ed25519 public key must be 32 bytes, got " + pk.length);
                }
                if (!validEd25519Point(pk)) {
                    throw new InvalidInputException("Ed25519 public key is not a point on the curve");
                }
                if (type == KeyType.SK_ED25519) {
                    readApplication(r);
                }
                bits = 256;
            }
            case ECDSA_P256, ECDSA_P384, ECDSA_P521, SK_ECDSA_P256 -> {
                String curve = new String(r.string("curve name"), StandardCharsets.US_ASCII);
                if (!curve.equals(type.curve())) {
                    throw new InvalidInputException("ECDSA key of type " + typeName + " names curve '" + curve
                            + "', expected " + type.curve());
                }
                byte[] q = r.string("EC point");
                EcCurves.Curve c = EcCurves.byName(curve);
                c.decodePoint(q); // validates: uncompressed, on the curve, not infinity
                if (type == KeyType.SK_ECDSA_P256) {
                    readApplication(r);
                }
                bits = c.bits();
            }
            case RSA -> {
                BigInteger e = r.positiveMpint("RSA exponent");
                BigInteger n = r.positiveMpint("RSA modulus");
                bits = n.bitLength();
                if (bits < policy.minRsaBits()) {
                    throw new InvalidInputException("RSA key is " + bits + " bits; the minimum is "
                            + policy.minRsaBits() + " (use ed25519 or ecdsa, or RSA >= " + policy.minRsaBits() + ")");
                }
                if (bits > KeyPolicy.MAX_RSA_BITS) {
                    throw new InvalidInputException("RSA key is " + bits + " bits; OpenSSH accepts at most "
                            + KeyPolicy.MAX_RSA_BITS);
                }
                if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0 || e.bitLength() > 64) {
                    throw new InvalidInputException("RSA public exponent is invalid");
                }
                if (!n.testBit(0)) {
                    throw new InvalidInputException("RSA modulus is even, so not a valid RSA key");
                }
            }
            default -> throw new IllegalStateException(type.name());
        }
        r.expectEnd();
        return new SshPublicKey(type, blob, bits, "");
    }

    private static void readApplication(SshReader r) {
        String app = r.utf8("security key application");
        if (app.isEmpty()) {
            throw new InvalidInputException("security key application is empty");
        }
    }

    static void checkTypeName(String typeName) {
        if (typeName.equals("ssh-dss")) {
            throw new InvalidInputException("DSA keys (ssh-dss) are not accepted: they are limited to 1024 bits and"
                    + " OpenSSH removed them; use ed25519 or ecdsa");
        }
        if (typeName.endsWith("-cert-v01@openssh.com")) {
            throw new InvalidInputException("expected a public key, got a certificate (" + typeName + ")");
        }
        if (KeyType.fromSshName(typeName).isEmpty()) {
            throw new InvalidInputException("unsupported key type '" + abbreviate(typeName) + "'; accepted: "
                    + "ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa, sk-ssh-ed25519@openssh.com, "
                    + "sk-ecdsa-sha2-nistp256@openssh.com");
        }
    }

    static byte[] decodeBase64(String b64) {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("public key is not valid base64");
        }
    }

    static String abbreviate(String s) {
        String printable = s.replaceAll("[\\p{Cntrl}]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }

    /** Splits on runs of spaces and tabs into at most 3 fields, like {@code split("[ \\t]+", 3)} without a regex. */
    static String[] splitFields(String s) {
        int n = s.length();
        int typeEnd = 0;
        while (typeEnd < n && s.charAt(typeEnd) != ' ' && s.charAt(typeEnd) != '\t') {
            typeEnd++;
        }
        int b64 = typeEnd;
        while (b64 < n && (s.charAt(b64) == ' ' || s.charAt(b64) == '\t')) {
            b64++;
        }
        if (b64 == n) {
            return new String[] {s.substring(0, typeEnd)};
        }
        int b64End = b64;
        while (b64End < n && s.charAt(b64End) != ' ' && s.charAt(b64End) != '\t') {
            b64End++;
        }
        int rest = b64End;
        while (rest < n && (s.charAt(rest) == ' ' || s.charAt(rest) == '\t')) {
            rest++;
        }
        return rest == n ? new String[] {s.substring(0, typeEnd), s.substring(b64, b64End)}
                : new String[] {s.substring(0, typeEnd), s.substring(b64, b64End), s.substring(rest)};
    }

    /** Ed25519 points already found on the curve: the check (a square root in the field) is most of a parse. */
    private static final java.util.Set<java.nio.ByteBuffer> VALID_ED25519 = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final int VALID_ED25519_MAX = 8192;

    /**
     * Whether the 32 bytes are an Ed25519 point on the curve. The answer depends on the bytes alone, so points that
     * passed are remembered (up to {@value #VALID_ED25519_MAX}, then forgotten all at once): engineers and hosts
     * present the same few keys again and again. Only successes are remembered.
     */
    static boolean validEd25519Point(byte[] pk) {
        java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(pk);
        if (VALID_ED25519.contains(key)) {
            return true;
        }
        if (!Ed25519.validatePublicKeyPartial(pk, 0)) {
            return false;
        }
        if (VALID_ED25519.size() >= VALID_ED25519_MAX) {
            VALID_ED25519.clear();
        }
        VALID_ED25519.add(java.nio.ByteBuffer.wrap(pk.clone()));
        return true;
    }
}
