package dev.keyward.ca.sign;

import java.util.Map;
import java.util.Optional;

/**
 * Where secrets (token PINs, key passphrases) named by environment variable come from. Production uses the
 * process environment; tests pass a map, since a JVM cannot change its own environment. Secrets never come
 * from command-line arguments and are never logged.
 */
@FunctionalInterface
public interface SecretSource {
    /** Environment variable holding the PKCS#11 user PIN when the URI has no pin-source. */
    String PKCS11_PIN_ENV = "KEYWARD_PKCS11_PIN";
    /** Environment variable holding the passphrase of an encrypted OpenSSH private key. */
    String KEY_PASSPHRASE_ENV = "KEYWARD_KEY_PASSPHRASE";

    Optional<String> get(String name);

    static SecretSource environment() {
        return name -> Optional.ofNullable(System.getenv(name)).filter(v -> !v.isEmpty());
    }

    static SecretSource of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return name -> Optional.ofNullable(copy.get(name));
    }
}
