package dev.keyward.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyward.agent.keys.KeyLine;
import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.sync.DesiredState;
import dev.keyward.agent.sync.InvalidStateException;
import dev.keyward.agent.sync.StateValidator;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The desired-state document ({@code GET /api/v1/agent/state}, PROTOCOL-agent.md) as the agent reads and checks
 * it before changing any file. Only {@link JsonException} (not the document's shape) and
 * {@link InvalidStateException} (a document the agent refuses) may escape.
 */
class AgentStateFuzzTest {
    private static final Pattern SAFE_ACCOUNT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}");

    /**
     * A read document writes back to one that reads as the same; a validated one yields only safe account names
     * (they become file names), key lines that are one line each and read back as the same key, and, where the
     * server gave the key and its options apart, exactly that key and those options.
     */
    @FuzzTest
    void document(byte[] data) throws JsonException {
        AgentState state;
        try {
            state = Json.read(data, AgentState::fromJson);
        } catch (JsonException e) {
            return;
        }
        assertEquals(state, Json.read(Json.write(state), AgentState::fromJson), "written state reads back the same");
        DesiredState desired;
        try {
            desired = new StateValidator().validate(state);
        } catch (InvalidStateException e) {
            return;
        }
        for (Map.Entry<String, DesiredState.AccountKeys> a : desired.accounts().entrySet()) {
            assertTrue(SAFE_ACCOUNT.matcher(a.getKey()).matches(), a.getKey());
            List<AgentState.DesiredKey> sent = state.accounts().get(a.getKey()).keys();
            for (DesiredState.Key k : a.getValue().keys()) {
                assertFalse(k.line().contains("\n") || k.line().contains("\r") || k.line().contains("\0"), k.line());
                KeyLine parsed = KeyLine.parse(k.line()).orElseThrow();
                assertArrayEquals(k.blob(), parsed.blob());
                assertEquals("", parsed.problem());
                AgentState.DesiredKey from = sent.stream().filter(d -> d != null && java.util.Objects.equals(d.id(), k.id())
                        && d.line() == null && d.key() != null).findFirst().orElse(null);
                if (from != null && sent.stream().filter(d -> d != null && java.util.Objects.equals(d.id(), k.id())).count() == 1) {
                    assertArrayEquals(KeyLine.parse(from.key()).orElseThrow().blob(), parsed.blob(),
                            "the line's key is not the key the server sent");
                    assertEquals(from.options() == null ? List.of() : from.options(), parsed.options(),
                            "the line's options are not the options the server sent");
                }
            }
            for (String fp : a.getValue().purge().keySet()) {
                assertTrue(fp.matches("SHA256:[A-Za-z0-9+/]{43}"), fp);
            }
        }
        assertTrue(desired.krlUrl().startsWith("/api/") && !desired.krlUrl().contains(".."), desired.krlUrl());
    }
}
