package dev.keyward.web.config;

import dev.keyward.ca.sign.CaAlgorithm;
import java.time.Duration;
import java.util.Optional;

/**
 * The CA keys. With no references the server creates two keys (user and host) on first start under
 * {@code $KEYWARD_HOME}: in a SoftHSM2 token when softhsm2 is installed, else as software keys.
 *
 * @param userKey   {@code ca.user_key}: {@code pkcs11:...} or {@code file:...} reference of the user CA key
 * @param hostKey   {@code ca.host_key}: the same for the host CA key
 * @param algorithm {@code ca.algorithm}: algorithm of keys the server creates itself (default ecdsa-p256)
 * @param storage   {@code ca.storage}: where created keys go: auto (SoftHSM2 if installed), softhsm or software
 * @param cryptoperiod {@code ca.cryptoperiod} (default 1 year): how long a CA key may sign before the compliance
 *                  report says it is due for rotation (NIST SP 800-57 Part 1, section 5.3)
 * @param signingThreads {@code ca.signing_threads} (default {@code auto}, empty here): how many certificates of a
 *                  batch are signed at once; see {@code IssuanceService.SigningPlan}
 */
public record CaKeysConfig(Optional<String> userKey, Optional<String> hostKey, CaAlgorithm algorithm,
        Storage storage, Duration cryptoperiod, Optional<Integer> signingThreads) {
    public static final Duration DEFAULT_CRYPTOPERIOD = Duration.ofDays(365);
    /** The most {@code ca.signing_threads} takes: far beyond what any token serves at once. */
    public static final int MAX_SIGNING_THREADS = 256;

    /** With the default cryptoperiod and signing threads. */
    public CaKeysConfig(Optional<String> userKey, Optional<String> hostKey, CaAlgorithm algorithm, Storage storage) {
        this(userKey, hostKey, algorithm, storage, DEFAULT_CRYPTOPERIOD, Optional.empty());
    }

    /** Where the server puts keys it creates itself. */
    public enum Storage {
        AUTO, SOFTHSM, SOFTWARE
    }

    public CaKeysConfig {
        if (cryptoperiod.compareTo(Duration.ofDays(1)) < 0) {
            throw new ConfigException("ca.cryptoperiod must be at least 1d (e.g. 365d)");
        }
        if (signingThreads.isPresent() && (signingThreads.get() < 1 || signingThreads.get() > MAX_SIGNING_THREADS)) {
            throw badSigningThreads(signingThreads.get().toString());
        }
        if (userKey.isPresent() != hostKey.isPresent()) {
            throw new ConfigException("ca.user_key and ca.host_key go together: set both (two separate keys), or"
                    + " neither to let the server create them under $KEYWARD_HOME");
        }
        if (userKey.isPresent() && userKey.get().equals(hostKey.get())) {
            throw new ConfigException("ca.user_key and ca.host_key name the same key; user and host certificates"
                    + " must be signed by separate CA keys");
        }
    }

    /** The error for a {@code ca.signing_threads} that is neither auto nor a number in range ({@code got} as given). */
    static ConfigException badSigningThreads(String got) {
        return new ConfigException("ca.signing_threads must be auto or a whole number from 1 to " + MAX_SIGNING_THREADS
                + ", got " + got);
    }

    public boolean configured() {
        return userKey.isPresent();
    }
}
