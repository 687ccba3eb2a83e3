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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RsaSizeValidatorTest {
    private final RsaSizeValidator validator = new RsaSizeValidator();

    @Test
    void rejectsRsa1024KeyUnderTheDefaultMinimum() {
        var e = assertThrows(PolicyViolationException.class, () -> validator.apply(
                ctx(rule(), engineer("alice"), userRequest(TestKeys.rsa(1024))), new DecisionDraft()));
        assertEquals("rules.r.min_rsa_bits", e.rule());
        assertTrue(e.getMessage().contains("1024 bits but at least 2048"), e.getMessage());
        assertTrue(e.getMessage().contains("ssh-keygen -t ed25519"), e.getMessage());
    }

    @Test
    void acceptsRsa2048UnderTheDefaultMinimum() {
        assertDoesNotThrow(() -> validator.apply(ctx(rule(), engineer("alice"), userRequest(TestKeys.rsa(2048))),
                new DecisionDraft()));
    }

    @Test
    void rejectsRsa2048WhenTheRuleAsksFor3072() {
        PolicyRule rule = rule("min_rsa_bits", 3072);
        var e = assertThrows(PolicyViolationException.class, () -> validator.apply(
                ctx(rule, engineer("alice"), userRequest(TestKeys.rsa(2048))), new DecisionDraft()));
        assertEquals("rules.r.min_rsa_bits", e.rule());
        assertTrue(e.getMessage().contains("ssh-keygen -t rsa -b 3072"), e.getMessage());
        assertDoesNotThrow(() -> validator.apply(ctx(rule, engineer("alice"), userRequest(TestKeys.rsa(3072))),
                new DecisionDraft()));
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, mode = EnumSource.Mode.EXCLUDE, names = "RSA")
    void ignoresOtherKeyTypesEvenWithAHighMinimum(KeyType type) {
        PolicyRule rule = rule("min_rsa_bits", 16384);
        assertDoesNotThrow(() -> validator.apply(ctx(rule, engineer("alice"), userRequest(TestKeys.of(type))),
                new DecisionDraft()));
    }
}
