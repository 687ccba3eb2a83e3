package dev.keyward.ca.cert;

import dev.keyward.ca.InvalidInputException;
import java.util.List;
import java.util.Map;

/**
 * What Keyward issues, beyond what OpenSSH reads (sshkey.c {@code cert_parse} takes any key ID, no principals,
 * repeated principals, any option names): the rules {@link Certificate.Builder#build()} applies. Issuing stops at
 * the first broken rule ({@link #REFUSE}); reading a certificate reports every one as a warning
 * ({@link Certificate#warnings()}).
 */
final class IssuanceRules {
    /** Where a broken rule is reported. */
    interface Sink {
        void broken(String message);
    }

    /** Issuance: the first broken rule is a user error. */
    static final Sink REFUSE = message -> {
        throw new InvalidInputException(message);
    };

    private IssuanceRules() {
    }

    static void check(CertType type, byte[] nonce, String keyId, List<String> principals, long validAfter,
            long validBefore, Map<String, String> criticalOptions, Map<String, String> extensions, Sink sink) {
        if (nonce.length < 16 || nonce.length > 64) {
            sink.broken("certificate nonce must be 16 to 64 bytes");
        }
        checkKeyId(keyId, sink);
        checkPrincipals(principals, sink);
        if (Long.compareUnsigned(validAfter, validBefore) >= 0) {
            sink.broken("certificate validity is empty: valid-after " + Long.toUnsignedString(validAfter)
                    + " is not before valid-before " + Long.toUnsignedString(validBefore));
        }
        if (type == CertType.HOST && !criticalOptions.isEmpty()) {
            sink.broken("host certificates have no critical options");
        }
        if (type == CertType.HOST && !extensions.isEmpty()) {
            sink.broken("host certificates have no extensions");
        }
        for (Map.Entry<String, String> e : criticalOptions.entrySet()) {
            try {
                CertOptions.checkCriticalOption(e.getKey(), e.getValue());
            } catch (InvalidInputException broken) {
                sink.broken(broken.getMessage());
            }
        }
        for (Map.Entry<String, String> e : extensions.entrySet()) {
            try {
                CertOptions.checkExtension(e.getKey(), e.getValue());
            } catch (InvalidInputException broken) {
                sink.broken(broken.getMessage());
            }
        }
    }

    static void checkKeyId(String keyId, Sink sink) {
        if (keyId == null || keyId.isEmpty()) {
            sink.broken("certificate needs a key ID");
            return;
        }
        if (keyId.length() > Certificate.MAX_KEY_ID_LENGTH) {
            sink.broken("key ID is longer than " + Certificate.MAX_KEY_ID_LENGTH + " characters");
        }
        for (int i = 0; i < keyId.length(); i++) {
            char c = keyId.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '(' || c == ')') {
                sink.broken("key ID '" + printable(keyId) + "' may only hold printable ASCII"
                        + " without spaces or parentheses (sshd logs it unquoted)");
                return;
            }
        }
    }

    static void checkPrincipals(List<String> principals, Sink sink) {
        if (principals.isEmpty()) {
            sink.broken("certificate needs at least one principal");
        }
        if (principals.size() > Certificate.MAX_PRINCIPALS) {
            sink.broken("certificate has more than " + Certificate.MAX_PRINCIPALS + " principals");
        }
        for (int i = 0; i < principals.size(); i++) {
            String p = principals.get(i);
            if (principals.indexOf(p) < i) { // an earlier equal one (no set: most certificates have one or two)
                sink.broken("certificate principals contain a duplicate"
                        + (p == null ? "" : " ('" + printable(p) + "')"));
                continue; // its other problems are reported once, at its first appearance
            }
            if (p == null || p.isEmpty()) {
                sink.broken("principal names may not be empty");
                continue;
            }
            if (p.length() > Certificate.MAX_PRINCIPAL_LENGTH) {
                sink.broken("principal '" + printable(p).substring(0, 40) + "...' is longer than "
                        + Certificate.MAX_PRINCIPAL_LENGTH + " characters");
            }
            for (int k = 0; k < p.length(); k++) {
                char c = p.charAt(k);
                if (c == ',' || Character.isWhitespace(c) || Character.isISOControl(c) || c == 0x7f) {
                    sink.broken("principal '" + printable(p)
                            + "' may not contain commas, whitespace or control characters");
                    break;
                }
            }
        }
    }

    /** For messages: control characters as '?', long text cut. */
    static String printable(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 300 ? p.substring(0, 300) + "..." : p;
    }
}
