package dev.keyward.ca.policy;

import dev.keyward.ca.key.JcaKeys;
import dev.keyward.ca.key.KeyType;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.wire.SshWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/** Public keys of every type, generated at run time (no key material is committed) and cached per run. */
final class TestKeys {
    private static final Map<KeyType, SshPublicKey> BY_TYPE = new EnumMap<>(KeyType.class);
    private static final Map<Integer, SshPublicKey> RSA_BY_BITS = new HashMap<>();

    private TestKeys() {
    }

    static synchronized SshPublicKey of(KeyType type) {
        return BY_TYPE.computeIfAbsent(type, TestKeys::generate);
    }

    static SshPublicKey ed25519() {
        return of(KeyType.ED25519);
    }

    static synchronized SshPublicKey rsa(int bits) {
        return RSA_BY_BITS.computeIfAbsent(bits, b -> jca("RSA", b, null));
    }

    private static SshPublicKey generate(KeyType type) {
        return switch (type) {
            case ED25519 -> jca("Ed25519", 0, null);
            case ECDSA_P256 -> jca("EC", 0, "secp256r1");
            case ECDSA_P384 -> jca("EC", 0, "secp384r1");
            case ECDSA_P521 -> jca("EC", 0, "secp521r1");
            case RSA -> rsa(2048);
            // Security-key blobs are the plain key's fields plus the application string (PROTOCOL.u2f).
            case SK_ED25519 -> securityKey(type, of(KeyType.ED25519));
            case SK_ECDSA_P256 -> securityKey(type, of(KeyType.ECDSA_P256));
        };
    }

    private static SshPublicKey securityKey(KeyType type, SshPublicKey plain) {
        byte[] blob = new SshWriter().string(type.sshName()).bytes(plain.blobFieldsAfterType()).string("ssh:")
                .toByteArray();
        return PublicKeyParser.withDefaults().parseBlob(blob);
    }

    private static SshPublicKey jca(String algorithm, int bits, String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                g.initialize(new ECGenParameterSpec(curve));
            } else if (bits > 0) {
                g.initialize(bits);
            }
            return JcaKeys.fromJca(g.generateKeyPair().getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " test key", e);
        }
    }
}
