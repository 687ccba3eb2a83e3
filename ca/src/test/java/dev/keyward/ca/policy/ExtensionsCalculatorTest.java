package dev.keyward.ca.policy;

import static dev.keyward.ca.policy.Fixtures.ctx;
import static dev.keyward.ca.policy.Fixtures.engineer;
import static dev.keyward.ca.policy.Fixtures.hostCtx;
import static dev.keyward.ca.policy.Fixtures.rule;
import static dev.keyward.ca.policy.Fixtures.userRequestExtensions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertOptions;
import dev.keyward.ca.cert.CertType;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExtensionsCalculatorTest {
    private final ExtensionsCalculator calc = new ExtensionsCalculator();

    private SortedSet<String> run(PolicyRule rule, Set<String> requested) {
        DecisionDraft d = new DecisionDraft();
        calc.apply(ctx(rule, engineer("alice"), userRequestExtensions(requested)), d);
        return d.extensions();
    }

    @Test
    void noRequestGetsOpenSshDefaultsUnderTheDefaultRule() {
        assertEquals(new TreeSet<>(CertOptions.DEFAULT_USER_EXTENSIONS), run(rule(), null));
    }

    @Test
    void noRequestGetsTheRulesDefaultExtensions() {
        PolicyRule r = rule("extensions", List.of("permit-pty", "permit-port-forwarding"), "default_extensions",
                List.of("permit-pty"));
        assertEquals(new TreeSet<>(Set.of("permit-pty")), run(r, null));
    }

    @Test
    void defaultExtensionsDefaultToAllAllowedOnes() {
        PolicyRule r = rule("extensions", List.of("permit-pty", "login@example.com"));
        assertEquals(new TreeSet<>(Set.of("login@example.com", "permit-pty")), run(r, null));
    }

    @Test
    void requestedSubsetIsKeptSorted() {
        assertEquals(List.of("permit-agent-forwarding", "permit-pty"),
                List.copyOf(run(rule(), Set.of("permit-pty", "permit-agent-forwarding"))));
    }

    @Test
    void emptyRequestMeansNoExtensions() {
        assertTrue(run(rule(), Set.of()).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-touch-required", "force-command", "permit-everything", "x@example.com"})
    void extensionOutsideTheRuleIsAViolation(String extension) {
        var e = assertThrows(PolicyViolationException.class, () -> run(rule(), Set.of("permit-pty", extension)));
        assertEquals("rules.r.extensions", e.rule());
        assertTrue(e.getMessage().contains("extension '" + extension + "' is not allowed"), e.getMessage());
        assertTrue(e.getMessage().contains("allowed: permit-X11-forwarding"), e.getMessage());
    }

    @Test
    void ruleWithNoExtensionsAllowsOnlyAnEmptySet() {
        PolicyRule r = rule("extensions", List.of());
        assertTrue(run(r, null).isEmpty());
        var e = assertThrows(PolicyViolationException.class, () -> run(r, Set.of("permit-pty")));
        assertTrue(e.getMessage().endsWith("allowed: none"), e.getMessage());
    }

    @Test
    void hostCertificatesHaveNoExtensions() {
        PolicyRule r = rule("roles", List.of("host"), "cert_type", "host");
        DecisionDraft d = new DecisionDraft();
        calc.apply(hostCtx(r, new IssueRequest(CertType.HOST, TestKeys.ed25519(), List.of(), null, null), List.of("h")),
                d);
        assertTrue(d.extensions().isEmpty());
        var e = assertThrows(InvalidInputException.class, () -> calc.apply(hostCtx(r, new IssueRequest(CertType.HOST,
                TestKeys.ed25519(), List.of(), null, null, Set.of("permit-pty")), List.of("h")), new DecisionDraft()));
        assertFalse(e instanceof PolicyViolationException);
    }
}
