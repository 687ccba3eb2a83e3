package dev.keyward.ca.sign;

/**
 * Where a CA key is held and how it is protected, as read back from where it lives (a PKCS#11 token's own
 * attributes, or the key file).
 *
 * @param storage          a PKCS#11 token or a software key file
 * @param location         the token (label and module) or the file, never a secret
 * @param persistent       a token object (CKA_TOKEN), or a file: it outlives the process
 * @param sensitive        CKA_SENSITIVE: the token never reveals the private key in the clear
 * @param alwaysSensitive  CKA_ALWAYS_SENSITIVE: it has been sensitive since it was made
 * @param extractable      CKA_EXTRACTABLE: it may be exported (wrapped); always true for a file
 * @param neverExtractable CKA_NEVER_EXTRACTABLE: it has never been extractable
 * @param generatedInside  CKA_LOCAL: the token generated it (not imported)
 */
public record KeyProtection(Storage storage, String location, boolean persistent, boolean sensitive,
        boolean alwaysSensitive, boolean extractable, boolean neverExtractable, boolean generatedInside) {

    /** Where a key lives. */
    public enum Storage {
        PKCS11_TOKEN("pkcs11-token"), SOFTWARE_FILE("software-file");

        private final String label;

        Storage(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A software key file: readable by whoever can read the file, so neither sensitive nor non-extractable. */
    public static KeyProtection softwareFile(String path) {
        return new KeyProtection(Storage.SOFTWARE_FILE, path, true, false, false, true, false, false);
    }

    /** Held the way a CA key should be: in a token, sensitive and never extractable since it was made there. */
    public boolean hardwareBacked() {
        return storage == Storage.PKCS11_TOKEN && persistent && sensitive && alwaysSensitive && !extractable
                && neverExtractable;
    }
}
