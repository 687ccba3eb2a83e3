package dev.keyward.ca.policy;

import dev.keyward.ca.InvalidInputException;

/**
 * Calculates the key ID. By default it is the rule's {@code key_id_template} (default {@code {{username}}})
 * expanded for the caller, so sshd's log line "ID alice (serial 42)" names the person; the serial is not known
 * at decide time and the server logs it next to the ID. A requested key ID is taken only when the rule says
 * {@code allow_user_key_ids: true} (a free choice would let anyone appear as someone else in sshd's logs).
 * Key IDs must be printable ASCII without spaces or parentheses because sshd logs them unquoted.
 */
final class KeyIdCalculator implements PolicyStep {
    static final int MAX_LENGTH = 255;

    @Override
    public void apply(PolicyContext ctx, DecisionDraft draft) {
        PolicyRule rule = ctx.rule();
        String requested = ctx.request().keyId();
        if (requested != null) {
            if (!rule.allowUserKeyIds()) {
                throw new PolicyViolationException(rule.rule("allow_user_key_ids"), "this rule sets the key ID ("
                        + rule.keyIdTemplate().source() + "); leave the key ID out of the request");
            }
            problem(requested).ifPresent(p -> {
                throw new InvalidInputException("requested key ID '" + Principals.printable(requested) + "' " + p);
            });
            draft.keyId(requested);
            return;
        }
        String username = ctx.who().username();
        String keyId = rule.keyIdTemplate().expand(username);
        problem(keyId).ifPresent(p -> {
            throw new PolicyViolationException(rule.rule("key_id_template"), "template '"
                    + rule.keyIdTemplate().source() + "' with username '" + Principals.printable(username)
                    + "' gives key ID '" + Principals.printable(keyId) + "', which " + p + "; ask an administrator to"
                    + " change the template or the account name");
        });
        draft.keyId(keyId);
    }

    static java.util.Optional<String> problem(String keyId) {
        if (keyId.isEmpty()) {
            return java.util.Optional.of("is empty");
        }
        if (keyId.length() > MAX_LENGTH) {
            return java.util.Optional.of("is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < keyId.length(); i++) {
            char c = keyId.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '(' || c == ')') {
                return java.util.Optional.of("may only hold printable ASCII without spaces or parentheses (sshd"
                        + " logs it unquoted)");
            }
        }
        return java.util.Optional.empty();
    }
}
