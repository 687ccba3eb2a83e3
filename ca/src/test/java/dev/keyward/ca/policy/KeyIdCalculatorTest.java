package dev.keyward.ca.policy;

import static dev.keyward.ca.policy.Fixtures.ctx;
import static dev.keyward.ca.policy.Fixtures.engineer;
import static dev.keyward.ca.policy.Fixtures.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyIdCalculatorTest {
    private final KeyIdCalculator calc = new KeyIdCalculator();

    private String run(PolicyRule rule, String username, String requested) {
        DecisionDraft d = new DecisionDraft();
        calc.apply(ctx(rule, engineer(username), Fixtures.userRequestKeyId(requested)), d);
        return d.keyId();
    }

    @Test
    void defaultKeyIdIsTheUsername() {
        assertEquals("alice", run(rule(), "alice", null));
    }

    @Test
    void templateIsExpanded() {
        assertEquals("keyward:alice@corp", run(rule("key_id_template", "keyward:{{username}}@corp"), "alice", null));
    }

    @Test
    void requestedKeyIdIsRefusedUnlessTheRuleAllowsIt() {
        var e = assertThrows(PolicyViolationException.class, () -> run(rule(), "alice", "bob"));
        assertEquals("rules.r.allow_user_key_ids", e.rule());
        assertTrue(e.getMessage().contains("leave the key ID out"), e.getMessage());
    }

    @Test
    void requestedKeyIdIsTakenWhenAllowed() {
        assertEquals("ci-build-42", run(rule("allow_user_key_ids", true), "alice", "ci-build-42"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "paren(s)", "", "tab\there", "caf\u00e9"})
    void malformedRequestedKeyIdIsABadRequest(String keyId) {
        var e = assertThrows(InvalidInputException.class, () -> run(rule("allow_user_key_ids", true), "alice", keyId));
        assertFalse(e instanceof PolicyViolationException, e.getMessage());
        assertTrue(e.getMessage().startsWith("requested key ID"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice smith", "jos\u00e9", "al(ice)"})
    void usernameThatMakesAnInvalidKeyIdIsAViolation(String username) {
        var e = assertThrows(PolicyViolationException.class, () -> run(rule(), username, null));
        assertEquals("rules.r.key_id_template", e.rule());
        assertTrue(e.getMessage().contains("ask an administrator"), e.getMessage());
    }
}
