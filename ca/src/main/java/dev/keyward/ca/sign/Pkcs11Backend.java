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

    static boolean exists(String uri, SecretSource secrets) {
        return Pkcs11Keys.exists(Pkcs11Uri.parse(uri), secrets);
    }

    static String destroy(String uri, SecretSource secrets) {
        Pkcs11Uri u = Pkcs11Uri.parse(uri);
        Pkcs11Keys.destroy(u, secrets);
        return "deleted the private key object and its certificate from PKCS#11 token '" + u.token()
                + "' (C_DestroyObject) and checked that the token no longer holds a key named '" + u.object() + "'";
    }

    static KeyProtection protection(String uri, SecretSource secrets) {
        return Pkcs11Keys.protection(Pkcs11Uri.parse(uri), secrets);
    }
}
