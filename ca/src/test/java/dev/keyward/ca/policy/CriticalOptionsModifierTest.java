package dev.keyward.ca.policy;

import static dev.keyward.ca.policy.Fixtures.ctx;
import static dev.keyward.ca.policy.Fixtures.engineer;
import static dev.keyward.ca.policy.Fixtures.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CriticalOptionsModifierTest {
    private final CriticalOptionsModifier modifier = new CriticalOptionsModifier();
    private final PolicyRule forced = rule("critical_options", Map.of("force-command", "/usr/bin/backup --run",
            "source-address", List.of("10.0.0.0/8", "192.0.2.7")));

    @Test
    void noForcedOptionsMeansNone() {
        DecisionDraft d = new DecisionDraft();
        modifier.apply(ctx(rule(), engineer("alice"), Fixtures.userRequest()), d);
        assertTrue(d.criticalOptions().isEmpty());
    }

    static Stream<IssueRequest> everyKindOfRequest() {
        return Stream.of(
                Fixtures.userRequest(),
                Fixtures.userRequest("alice"),
                Fixtures.userRequestTtl(Duration.ofMinutes(5)),
                Fixtures.userRequestExtensions(Set.of()),
                Fixtures.userRequestExtensions(Set.of("permit-pty")),
                new IssueRequest(CertType.USER, TestKeys.rsa(2048), List.of(), null, null));
    }

    @ParameterizedTest
    @MethodSource("everyKindOfRequest")
    void forcedOptionsAreAppliedWhateverTheRequest(IssueRequest req) {
        DecisionDraft d = new DecisionDraft();
        modifier.apply(ctx(forced, engineer("alice"), req), d);
        assertEquals(new TreeMap<>(Map.of("force-command", "/usr/bin/backup --run",
                "source-address", "10.0.0.0/8,192.0.2.7")), d.criticalOptions());
    }

    @Test
    void forcedOptionsCannotBeChangedThroughTheDecision() {
        DecisionDraft d = new DecisionDraft();
        modifier.apply(ctx(forced, engineer("alice"), Fixtures.userRequest()), d);
        assertThrows(UnsupportedOperationException.class, () -> d.criticalOptions().remove("force-command"));
        assertThrows(UnsupportedOperationException.class, () -> forced.criticalOptions().put("source-address",
                "0.0.0.0/0"));
    }
}
