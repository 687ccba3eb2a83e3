package dev.keyward.ca.sign;

import dev.keyward.ca.InvalidInputException;

/** Bridges {@link Signers} to the PKCS#11 package (wired when the PKCS#11 backend lands). */
final class Pkcs11Backend {
    private Pkcs11Backend() {
    }

    static CaSigner open(String uri, SecretSource secrets) {
        throw new InvalidInputException("PKCS#11 keys are not available in this build yet");
    }

    static CaSigner create(String uri, CaAlgorithm algorithm, SecretSource secrets) {
        throw new InvalidInputException("PKCS#11 keys are not available in this build yet");
    }
}
