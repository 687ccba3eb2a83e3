package dev.keyward.ca.policy;

import dev.keyward.ca.key.KeyType;
import java.util.Map;
import java.util.Optional;

/** The short key-type names used in {@code key_types}: ed25519, ecdsa-p256, ..., sk-ecdsa. */
final class KeyTypeNames {
    private static final Map<KeyType, String> NAMES = Map.of(
            KeyType.ED25519, "ed25519",
            KeyType.ECDSA_P256, "ecdsa-p256",
            KeyType.ECDSA_P384, "ecdsa-p384",
            KeyType.ECDSA_P521, "ecdsa-p521",
            KeyType.RSA, "rsa",
            KeyType.SK_ED25519, "sk-ed25519",
            KeyType.SK_ECDSA_P256, "sk-ecdsa");

    /** All names, in KeyType order, for messages. */
    static final String ALL = String.join(", ", java.util.Arrays.stream(KeyType.values()).map(KeyTypeNames::name)
            .toList());

    private KeyTypeNames() {
    }

    static String name(KeyType type) {
        return NAMES.get(type);
    }

    static Optional<KeyType> byName(String name) {
        return NAMES.entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey).findFirst();
    }
}
