package dev.keyward.ca.sign;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.KeyType;
import java.util.Locale;

/** CA key algorithms {@code keyward-ca init --algorithm} offers. Ed25519 works only with software keys. */
public enum CaAlgorithm {
    ECDSA_P256("ecdsa-p256", KeyType.ECDSA_P256, 256),
    ECDSA_P384("ecdsa-p384", KeyType.ECDSA_P384, 384),
    RSA_3072("rsa-3072", KeyType.RSA, 3072),
    RSA_4096("rsa-4096", KeyType.RSA, 4096),
    ED25519("ed25519", KeyType.ED25519, 256);

    public static final CaAlgorithm DEFAULT = ECDSA_P256;

    private final String label;
    private final KeyType keyType;
    private final int bits;

    CaAlgorithm(String label, KeyType keyType, int bits) {
        this.label = label;
        this.keyType = keyType;
        this.bits = bits;
    }

    public String label() {
        return label;
    }

    public KeyType keyType() {
        return keyType;
    }

    public int bits() {
        return bits;
    }

    public static CaAlgorithm parse(String s) {
        String want = s.toLowerCase(Locale.ROOT);
        for (CaAlgorithm a : values()) {
            if (a.label.equals(want)) {
                return a;
            }
        }
        throw new InvalidInputException("unknown CA algorithm '" + s
                + "'; choose ecdsa-p256 (default), ecdsa-p384, rsa-3072, rsa-4096 or ed25519 (software keys only)");
    }

    @Override
    public String toString() {
        return label;
    }
}
