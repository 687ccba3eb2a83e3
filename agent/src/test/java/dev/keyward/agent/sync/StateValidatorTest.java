package dev.keyward.agent.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyward.agent.protocol.AgentState;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateValidatorTest {
    @TempDir
    Path tmp;

    private static AgentState withKey(AgentState.DesiredKey k) {
        return new AgentState("h1", "managed", Map.of("deploy", new AgentState.AccountState(List.of(k), List.of())),
                new AgentState.Trust(List.of(), 1), new AgentState.KrlRef(1, "/api/v1/krl", null), null);
    }

    /** Found by AgentStateFuzzTest: joined with commas, an option holding a blank named another key than 'key'. */
    @Test
    void optionThatIsNotOneOptionIsRefused() throws Exception {
        String line = Files.readString(TestKeys.publicKeyFile(tmp, "sent", "ed25519")).strip();
        String sent = String.join(" ", java.util.Arrays.copyOf(line.split(" "), 2));
        String other = Files.readString(TestKeys.publicKeyFile(tmp, "other", "ecdsa-256")).strip();
        for (String option : List.of("command=\"x\" " + other + " y", "no-pty,no-agent-forwarding", "no-pty ",
                "command=\"unterminated", "")) {
            AgentState s = withKey(new AgentState.DesiredKey("ak_1", null, List.of("restrict", option), sent, "c", null));
            InvalidStateException e = assertThrows(InvalidStateException.class, () -> new StateValidator().validate(s),
                    option);
            assertEquals(true, e.getMessage().startsWith("account deploy key ak_1: "), e.getMessage());
        }
    }

    /** Found by AgentStateFuzzTest: options inside 'key' were installed although 'options' did not name them. */
    @Test
    void keyWithOptionsOrCommentIsRefused() throws Exception {
        String sent = Files.readString(TestKeys.publicKeyFile(tmp, "sent", "ed25519")).strip(); // with a comment
        String bare = String.join(" ", java.util.Arrays.copyOf(sent.split(" "), 2));
        for (String key : List.of("restrict " + bare, "command=\"x\" " + bare, sent, bare.split(" ")[1])) {
            AgentState s = withKey(new AgentState.DesiredKey("ak_1", null, List.of(), key, "c", null));
            InvalidStateException e = assertThrows(InvalidStateException.class, () -> new StateValidator().validate(s),
                    key);
            assertEquals(true, e.getMessage().startsWith("account deploy key ak_1: "), e.getMessage());
        }
        DesiredState d = new StateValidator().validate(withKey(new AgentState.DesiredKey("ak_1", null, List.of(), bare,
                null, null)));
        assertEquals(bare, d.accounts().get("deploy").keys().get(0).line());
    }

    @Test
    void quotedOptionsWithBlanksAndCommasAreKept() throws Exception {
        String line = Files.readString(TestKeys.publicKeyFile(tmp, "sent", "ed25519")).strip();
        String sent = String.join(" ", java.util.Arrays.copyOf(line.split(" "), 2));
        List<String> options = List.of("from=\"10.0.0.0/8,192.168.0.1\"", "command=\"echo \\\"a b\\\"\"", "no-pty");
        DesiredState d = new StateValidator().validate(withKey(
                new AgentState.DesiredKey("ak_1", null, options, sent, "c", null)));
        DesiredState.Key k = d.accounts().get("deploy").keys().get(0);
        assertEquals(String.join(",", options) + " " + sent + " c", k.line());
        SshPublicKey key = PublicKeyParser.withDefaults().parseLine(sent);
        assertArrayEquals(key.blob(), k.blob());
    }
}
