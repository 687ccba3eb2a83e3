package dev.keyward.ca.sign;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.KeyType;

/**
 * SSH signature algorithms Keyward produces and verifies, with the JCA algorithm behind each.
 * ECDSA uses the P1363 (r||s) form, which maps directly onto the SSH blob's two mpints.
 */
public enum SignatureAlgorithm {
    ED25519("ssh-ed25519", "Ed25519", KeyType.ED25519),
    ECDSA_P256("ecdsa-sha2-nistp256", "SHA256withECDSAinP1363Format", KeyType.ECDSA_P256),
    ECDSA_P384("ecdsa-sha2-nistp384", "SHA384withECDSAinP1363Format", KeyType.ECDSA_P384),
    ECDSA_P521("ecdsa-sha2-nistp521", "SHA512withECDSAinP1363Format", KeyType.ECDSA_P521),
    RSA_SHA2_512("rsa-sha2-512", "SHA512withRSA", KeyType.RSA),
    RSA_SHA2_256("rsa-sha2-256", "SHA256withRSA", KeyType.RSA),
    /** Verification only: SHA-1 RSA signatures are never produced. */
    SSH_RSA("ssh-rsa", "SHA1withRSA", KeyType.RSA);

    private final String sshName;
    private final String jcaName;
    private final KeyType keyType;

    SignatureAlgorithm(String sshName, String jcaName, KeyType keyType) {
        this.sshName = sshName;
        this.jcaName = jcaName;
        this.keyType = keyType;
    }

    public String sshName() {
        return sshName;
    }

    public String jcaName() {
        return jcaName;
    }

    public KeyType keyType() {
        return keyType;
    }

    /** The algorithm Keyward signs with for a CA key of this type. */
    public static SignatureAlgorithm forSigning(KeyType type) {
        return switch (type) {
            case ED25519 -> ED25519;
            case ECDSA_P256 -> ECDSA_P256;
            case ECDSA_P384 -> ECDSA_P384;
            case ECDSA_P521 -> ECDSA_P521;
            case RSA -> RSA_SHA2_512;
            default -> throw new InvalidInputException(type.sshName() + " keys cannot be CA keys");
        };
    }

    public static SignatureAlgorithm fromSshName(String name) {
        for (SignatureAlgorithm a : values()) {
            if (a.sshName.equals(name)) {
                return a;
            }
        }
        throw new InvalidInputException("unsupported signature algorithm '" + name + "'");
    }
}
