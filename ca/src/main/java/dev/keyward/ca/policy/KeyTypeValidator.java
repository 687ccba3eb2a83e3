package dev.keyward.ca.policy;

import dev.keyward.ca.key.KeyType;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Refuses a public key whose type the rule's {@code key_types} does not list. */
final class KeyTypeValidator implements PolicyStep {
    @Override
    public void apply(PolicyContext ctx, DecisionDraft draft) {
        KeyType type = ctx.request().publicKey().type();
        PolicyRule rule = ctx.rule();
        if (!rule.keyTypes().contains(type)) {
            String allowed = Arrays.stream(KeyType.values()).filter(rule.keyTypes()::contains)
                    .map(KeyTypeNames::name).collect(Collectors.joining(", "));
            throw new PolicyViolationException(rule.rule("key_types"), KeyTypeNames.name(type) + " keys ("
                    + type.sshName() + ") are not allowed; use a key of type " + allowed);
        }
    }
}
