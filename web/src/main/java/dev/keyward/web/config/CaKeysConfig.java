package dev.keyward.web.config;

import dev.keyward.ca.sign.CaAlgorithm;
import java.util.Optional;

/**
 * The CA keys. With no references the server creates two keys (user and host) on first start under
 * {@code $KEYWARD_HOME}: in a SoftHSM2 token when softhsm2 is installed, else as software keys.
 *
 * @param userKey   {@code ca.user_key}: {@code pkcs11:...} or {@code file:...} reference of the user CA key
 * @param hostKey   {@code ca.host_key}: the same for the host CA key
 * @param algorithm {@code ca.algorithm}: algorithm of keys the server creates itself (default ecdsa-p256)
 * @param storage   {@code ca.storage}: where created keys go: auto (SoftHSM2 if installed), softhsm or software
 */
public record CaKeysConfig(Optional<String> userKey, Optional<String> hostKey, CaAlgorithm algorithm,
        Storage storage) {

    /** Where the server puts keys it creates itself. */
    public enum Storage {
        AUTO, SOFTHSM, SOFTWARE
    }

    public CaKeysConfig {
        if (userKey.isPresent() != hostKey.isPresent()) {
            throw new ConfigException("ca.user_key and ca.host_key go together: set both (two separate keys), or"
                    + " neither to let the server create them under $KEYWARD_HOME");
        }
        if (userKey.isPresent() && userKey.get().equals(hostKey.get())) {
            throw new ConfigException("ca.user_key and ca.host_key name the same key; user and host certificates"
                    + " must be signed by separate CA keys");
        }
    }

    public boolean configured() {
        return userKey.isPresent();
    }
}
