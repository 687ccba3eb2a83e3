package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.web.db.CaKeyDao;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Steps shared by every change of CA key states ({@link CaKeyLifecycle}, {@link CaKeyBootstrap}, the retired keys'
 * expiry). Every such transaction takes {@link CaKeyBootstrap#CA_KEY_LOCK} first, then changes rows and versions,
 * and appends its audit entries last (the audit append takes the chain's head lock, as every issuance does before
 * it writes, so a retired key's {@code trusted_until} computed after it covers every certificate the key signed).
 */
final class CaKeyTransitions {
    /** Names tried for a new key: {@code <purpose>-ca-<n>} from the next number on. */
    private static final int NAME_ATTEMPTS = 100;

    private CaKeyTransitions() {
    }

    /**
     * Records when a key that was just retired stops being needed: when the last unrevoked certificate it signed
     * expires (now, if none is valid). Call it after the transaction's audit append (see the class comment).
     */
    static void sealRetired(CaKeyDao keys, long id, Instant now) {
        keys.setTrustedUntil(id, keys.lastValidBefore(id, now).orElse(now));
    }

    /** A new key created in the same token (or directory) as {@code beside}, and its reference. */
    record NewKey(CaSigner signer, String keyUri) {
    }

    /**
     * Creates the next key of {@code purpose} beside {@code beside} (the same token, module and PIN source, or the
     * same directory), named {@code <purpose>-ca-<n>} with the first free n from {@code number}.
     */
    static NewKey createBeside(String beside, CertType purpose, int number, CaAlgorithm algorithm,
            SecretSource secrets) {
        for (int n = number; n < number + NAME_ATTEMPTS; n++) {
            String uri = Signers.sibling(beside, purpose.label() + "-ca-" + n);
            if (!Signers.nameTaken(uri, secrets)) {
                return new NewKey(Signers.create(uri, algorithm, secrets), uri);
            }
        }
        throw new ConflictException("the names " + purpose.label() + "-ca-" + number + " to " + purpose.label() + "-ca-"
                + (number + NAME_ATTEMPTS - 1) + " are all taken beside " + beside + "; remove"
                + " keys Keyward does not know from there");
    }

    /** The audit details that name a key. */
    static Map<String, Object> keyDetails(CaKeyDao.CaKeyRow k) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("purpose", k.purpose().label());
        d.put("key", k.id());
        d.put("fingerprint", k.fingerprint());
        d.put("state", k.state().label());
        return d;
    }
}
