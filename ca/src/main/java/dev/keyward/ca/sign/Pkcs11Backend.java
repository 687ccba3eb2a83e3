package dev.keyward.ca.sign;

import dev.keyward.ca.pkcs11.Pkcs11Keys;
import dev.keyward.ca.pkcs11.Pkcs11Uri;

/** Bridges {@link Signers} to the PKCS#11 package. */
final class Pkcs11Backend {
    private Pkcs11Backend() {
    }

    static CaSigner open(String uri, SecretSource secrets) {
        return Pkcs11Keys.open(Pkcs11Uri.parse(uri), secrets);
    }

    static CaSigner create(String uri, CaAlgorithm algorithm, SecretSource secrets) {
        return Pkcs11Keys.generate(Pkcs11Uri.parse(uri), algorithm, secrets);
    }
}
