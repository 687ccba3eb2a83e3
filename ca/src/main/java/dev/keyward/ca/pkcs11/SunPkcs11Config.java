package dev.keyward.ca.pkcs11;

import java.nio.file.Path;

/**
 * The SunPKCS11 configuration for one token, in the inline form {@code Provider.configure("--" + text)}, so
 * no configuration file has to be written and cleaned up.
 * <p>
 * Keys generated through the provider become private, sensitive, non-extractable token objects: the CA key
 * can sign but can never be read out of the token, not even wrapped. It can do nothing but sign: no decryption,
 * unwrapping or key derivation, which tokens otherwise allow by default (SoftHSM2 does) and which would turn
 * the CA key into an oracle for other protocols. Public keys are deliberately left as
 * session objects (no CKA_TOKEN): as token objects they get no CKA_ID and {@code ssh-keygen -D} can then not
 * pair them with the private key. The public key stays findable through the placeholder certificate.
 */
final class SunPkcs11Config {
    private SunPkcs11Config() {
    }

    /**
     * @param module the module path, already checked by {@link Pkcs11Uri} to hold no quote, backslash or
     *               {@code ${}} (which the SunPKCS11 configuration syntax would interpret)
     */
    static String forSlot(Path module, TokenSlots.Slot slot) {
        return "--"
                + "name = Keyward-" + Long.toUnsignedString(slot.id()) + "\n"
                + "library = \"" + module + "\"\n"
                + "slotListIndex = " + slot.listIndex() + "\n"
                + "attributes(generate, CKO_PRIVATE_KEY, *) = {\n"
                + "  CKA_TOKEN = true\n"
                + "  CKA_PRIVATE = true\n"
                + "  CKA_SENSITIVE = true\n"
                + "  CKA_EXTRACTABLE = false\n"
                + "  CKA_SIGN = true\n"
                + "  CKA_SIGN_RECOVER = false\n"
                + "  CKA_DECRYPT = false\n"
                + "  CKA_UNWRAP = false\n"
                + "  CKA_DERIVE = false\n"
                + "}\n";
    }
}
