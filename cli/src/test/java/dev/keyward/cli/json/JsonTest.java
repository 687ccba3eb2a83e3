package dev.keyward.cli.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    @Test
    void parsesAnIssuedCertificateAnswer() {
        Map<String, Object> m = Json.parseObject("""
                {"serial": 42, "type": "user", "principals": ["alice", "deploy-1"], "revoked_at": null,
                 "certificate": "ssh-ed25519-cert-v01@openssh.com AAAA\\u0041 c\\"x", "ok": true, "f": -1.5e3}""");
        assertEquals(new BigDecimal(42), m.get("serial"));
        assertEquals(List.of("alice", "deploy-1"), m.get("principals"));
        assertEquals(Json.NULL, m.get("revoked_at"));
        assertEquals("ssh-ed25519-cert-v01@openssh.com AAAAA c\"x", m.get("certificate"));
        assertEquals(Boolean.TRUE, m.get("ok"));
        assertEquals(new BigDecimal("-1.5e3"), m.get("f"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":1,}", "{\"a\":1}x", "{\"a\":1,\"a\":2}", "[01]", "[1.]", "[-]",
            "{\"a\":\"x\ny\"}", "[\"\\ud800\"]", "[\"\\udc00x\"]", "[\"\\q\"]", "[tru]", "{a:1}", "[1 2]", "'x'",
            "[\"\\u12\"]", "[1e]"})
    void refusesWhatIsNotStrictJson(String text) {
        assertThrows(JsonException.class, () -> Json.parse(text));
    }

    @Test
    void refusesDeepNesting() {
        assertThrows(JsonException.class, () -> Json.parse("[".repeat(Json.MAX_DEPTH + 2) + "]".repeat(Json.MAX_DEPTH + 2)));
        Json.parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH));
    }

    @Test
    void refusesANonObjectWhereAnObjectIsExpected() {
        assertThrows(JsonException.class, () -> Json.parseObject("[1]"));
    }

    @Test
    void writesWhatItParses() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("public_key", "ssh-ed25519 AAAA \"q\"\\\n\t\u0001");
        m.put("principals", List.of("a", "b"));
        m.put("n", 7L);
        m.put("x", null);
        String text = Json.write(m);
        assertEquals("{\"public_key\":\"ssh-ed25519 AAAA \\\"q\\\"\\\\\\n\\t\\u0001\",\"principals\":[\"a\",\"b\"],"
                + "\"n\":7,\"x\":null}", text);
        Map<String, Object> back = Json.parseObject(text);
        assertEquals(m.get("public_key"), back.get("public_key"));
        assertEquals(m.get("principals"), back.get("principals"));
        assertEquals(Json.NULL, back.get("x"));
    }

    @Test
    void keepsSurrogatePairs() {
        assertEquals(List.of("\uD83D\uDD11"), Json.parse("[\"\\ud83d\\udd11\"]"));
        assertEquals(List.of("\uD83D\uDD11"), Json.parse("[\"\uD83D\uDD11\"]"));
    }
}
