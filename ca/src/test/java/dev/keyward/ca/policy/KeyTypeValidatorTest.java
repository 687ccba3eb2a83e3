package dev.keyward.ca.policy;

import static dev.keyward.ca.policy.Fixtures.ctx;
import static dev.keyward.ca.policy.Fixtures.engineer;
import static dev.keyward.ca.policy.Fixtures.rule;
import static dev.keyward.ca.policy.Fixtures.userRequest;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.key.KeyType;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyTypeValidatorTest {
    private final KeyTypeValidator validator = new KeyTypeValidator();

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void defaultRuleAcceptsEveryKeyType(KeyType type) {
        PolicyRule rule = rule();
        assertDoesNotThrow(() -> validator.apply(ctx(rule, engineer("alice"), userRequest(TestKeys.of(type))),
                new DecisionDraft()));
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void securityKeyOnlyRuleAcceptsExactlyTheSecurityKeyTypes(KeyType type) {
        PolicyRule rule = rule("key_types", List.of("sk-ed25519", "sk-ecdsa"));
        var c = ctx(rule, engineer("alice"), userRequest(TestKeys.of(type)));
        if (type.isSecurityKey()) {
            assertDoesNotThrow(() -> validator.apply(c, new DecisionDraft()));
        } else {
            var e = assertThrows(PolicyViolationException.class, () -> validator.apply(c, new DecisionDraft()));
            assertEquals("rules.r.key_types", e.rule());
            assertTrue(e.getMessage().contains(KeyTypeNames.name(type) + " keys"), e.getMessage());
            assertTrue(e.getMessage().contains("use a key of type sk-ed25519, sk-ecdsa"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"ECDSA_P256", "ECDSA_P384", "ECDSA_P521"})
    void ecdsaCurvesAreAllowedOneByOne(KeyType type) {
        PolicyRule rule = rule("key_types", List.of(KeyTypeNames.name(type)));
        assertDoesNotThrow(() -> validator.apply(ctx(rule, engineer("alice"), userRequest(TestKeys.of(type))),
                new DecisionDraft()));
        KeyType other = type == KeyType.ECDSA_P256 ? KeyType.ECDSA_P384 : KeyType.ECDSA_P256;
        assertThrows(PolicyViolationException.class, () -> validator.apply(ctx(rule, engineer("alice"),
                userRequest(TestKeys.of(other))), new DecisionDraft()));
    }
}
