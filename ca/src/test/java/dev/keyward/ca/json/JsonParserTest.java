package dev.keyward.ca.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The codec's own cases: the parser accepts RFC 8259 JSON and refuses everything else, with the byte offset of the
 * problem and the field it is in; the writer writes what the parser reads back. Jackson's parser refuses most of it
 * by itself (as configured in {@link Jackson}); the cases it would let through (a byte-order mark, UTF-16, data after
 * the value, escaped unpaired surrogates) are checked by {@link JsonReader}. (The agent's records and their fixed
 * bytes are tested in the agent, ProtocolJsonTest.)
 */
class JsonParserTest {
    static Object parse(String s) throws JsonException {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    static JsonException refused(byte[] doc) {
        return assertThrows(JsonException.class, () -> Json.parse(doc));
    }

    static JsonException refused(String doc) {
        return refused(doc.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesEveryKindOfValue() throws Exception {
        Object v = parse(" {\"s\":\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00é😀\",\"n\":-12,\"z\":0,\"t\":true,"
                + "\"f\":false,\"nul\":null,\"a\":[1,[],{}],\"o\":{\"x\":{}},\"big\":18446744073709551616,"
                + "\"frac\":1.5e-3,\"min\":-9223372036854775808}\r\n\t");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals("a\"\\/\b\f\n\r\té😀é😀", m.get("s"));
        assertEquals(-12L, m.get("n"));
        assertEquals(0L, m.get("z"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("nul"));
        assertNull(m.get("nul"));
        assertEquals(List.of(1L, List.of(), Map.of()), m.get("a"));
        assertEquals(new Json.BigNumber("18446744073709551616"), m.get("big"));
        assertEquals(new Json.BigNumber("1.5e-3"), m.get("frac"));
        assertEquals(Long.MIN_VALUE, m.get("min"));
        assertEquals(List.of("s", "n", "z", "t", "f", "nul", "a", "o", "big", "frac", "min"), List.copyOf(m.keySet()),
                "fields keep their order");
        assertEquals("x", parse("\"x\""));
        assertNull(parse("null"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\":1,}", "{,}", "{\"a\" 1}", "{\"a\":}",
        "{a:1}", "{'a':1}", "[1 2]", "tru", "nul", "True", "NaN", "Infinity", "-", "01", "-01", "1.", ".5", "1e", "1e+",
        "+1", "0x10", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\'\"", "[1]]", "{} {}", "{\"a\":1}x",
        "\"a\" \"b\"", "[1]\u0000", "/* c */ {}", "{} // c", "[01]", "[1.]", "[-]", "[1e]", "[tru]", "'x'",
        "[\"\\u12\"]", "[\"\\q\"]", "[\"\\u\uFF10041\"]"})
    void refusesMalformedJson(String doc) {
        assertTrue(refused(doc).getMessage().startsWith("invalid JSON at byte "));
    }

    @Test
    void refusesDuplicateFieldNames() {
        assertEquals("invalid JSON at byte 18 (mode): Duplicate field 'mode'",
                refused("{\"mode\":\"a\",\"mode\":\"b\"}").getMessage());
        refused("{\"a\":{\"x\":1,\"y\":2,\"x\":null}}");
        refused("{\"a\":null,\"a\":null}");
        refused("{\"\\u0061\":1,\"a\":2}"); // the same name, escaped once
        refused("{\"a\":1,\"a\":2}");
    }

    @Test
    void refusesControlCharactersAndBadEscapesInStrings() {
        refused("\"tab\there\"");
        refused("\"new\nline\"");
        refused("\"nul\u0000\"");
        refused("{\"a\":\"x\ny\"}");
        refused("\"\\U0041\"");
        refused("\"\\\"");
    }

    @Test
    void refusesUnpairedSurrogates() {
        assertTrue(refused("\"\\uD83D\"").getMessage().contains("unpaired surrogate"));
        refused("\"\\uDE00\"");
        refused("\"\\uD83Dx\"");
        refused("\"\\uD83D\\u0041\"");
        refused("\"\\uD83D\\uD83D\"");
        refused("\"\\uDE00\\uD83D\"");
        refused("[\"\\ud800\"]"); // lower-case hex
        refused("[\"\\udc00x\"]");
        refused("{\"\\ud800\":1}"); // in a name
        refused("{\"\\udc00\":1}");
        refused("{\"a\\ud83d\\ud83d\\ude00\":1}");
    }

    @Test
    void refusesInvalidUtf8() {
        refused(new byte[] {'"', (byte) 0xC3, '"'}); // truncated
        refused(new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'}); // overlong '/'
        // "a" twice, the second time overlong: refused as invalid UTF-8, not read as a duplicate
        String overlongName = refused(new byte[] {'{', '"', 'a', '"', ':', '1', ',', '"', (byte) 0xC1, (byte) 0xA1, '"', ':',
            '2', '}'}).getMessage();
        assertTrue(overlongName.contains("Invalid UTF-8"), overlongName);
        refused(new byte[] {'"', (byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF, '"'}); // overlong, 4 bytes
        refused(new byte[] {'"', (byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80, '"'}); // no such lead byte
        refused(new byte[] {'"', (byte) 0xE0, (byte) 0x80, (byte) 0xAF, '"'}); // overlong
        refused(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}); // an encoded surrogate
        refused(new byte[] {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}); // above U+10FFFF
        refused(new byte[] {'"', (byte) 0x80, '"'}); // a lone continuation byte
        refused(new byte[] {'"', (byte) 0xFF, '"'});
        refused(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'}); // a byte-order mark
        refused(new byte[] {'{', (byte) 0xC3, (byte) 0xA9, '}'}); // non-ASCII outside a string
    }

    @Test
    void refusesNestingDeeperThanTheLimit() throws Exception {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        parse(ok);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertTrue(refused(deep).getMessage().contains("nesting depth (33) exceeds the maximum allowed (32"),
                refused(deep).getMessage());
        refused("{\"a\":".repeat(100_000)); // no stack overflow either
    }

    /** A byte-order mark, UTF-16 and UTF-32, which Jackson would detect and read. */
    @Test
    void readsUtf8Only() {
        assertEquals("invalid JSON at byte 0: a byte-order mark is not allowed",
                refused("[\"a\"]".getBytes(StandardCharsets.UTF_16)).getMessage());
        refused("[\"a\"]".getBytes(StandardCharsets.UTF_16BE));
        refused("[\"a\"]".getBytes(StandardCharsets.UTF_16LE));
        refused("1".getBytes(StandardCharsets.UTF_16LE));
        refused("[1]".getBytes(java.nio.charset.Charset.forName("UTF-32BE")));
        refused("[1]".getBytes(java.nio.charset.Charset.forName("UTF-32LE")));
        refused(new byte[] {(byte) 0xFF, (byte) 0xFE, '1', 0});
    }

    @Test
    void messagesNameTheFieldWhereTheDocumentWentWrong() {
        assertEquals("invalid JSON at byte 51 (accounts.a.keys[1].id): Duplicate field 'id'",
                refused("{\"accounts\":{\"a\":{\"keys\":[{\"id\":\"x\"},{\"id\":\"x\",\"id\":\"y\"}]}}}").getMessage());
        assertEquals("invalid JSON at byte 28 (a[3][1][1].b[1]): unpaired surrogate escape",
                refused("{\"a\":[1,2,3,[4,[5,{\"b\":[\"x\",\"\\ud800\"]}]]]}").getMessage());
        String tru = refused("{\"krl\":{\"version\":tru}}").getMessage();
        assertTrue(tru.startsWith("invalid JSON at byte 18 (krl.version): Unrecognized token 'tru'"), tru);
        assertEquals("invalid JSON at byte 0: no JSON value", refused("").getMessage());
        assertEquals("invalid JSON at byte 3: unexpected data after the JSON value", refused("{} {}").getMessage());
    }

    @Test
    void refusesOverlongNumbersAndOversizedDocuments() throws Exception {
        refused("1".repeat(Json.MAX_NUMBER_DIGITS + 1));
        // Jackson counts digits: of the integer part, the fraction and the exponent
        String digits = "1".repeat(Json.MAX_NUMBER_DIGITS);
        assertEquals(List.of(new Json.BigNumber("-" + digits)), parse("[-" + digits + "]"));
        refused("[-" + digits + "1]");
        parse("[1." + digits.substring(1) + "]");
        refused("[1." + digits + "]");
        refused("[1e" + digits + "]");
        JsonException big = assertThrows(JsonException.class, () -> Json.parse(new byte[Json.MAX_BYTES + 1]));
        assertTrue(big.getMessage().contains("larger than"));
    }

    @Test
    void topLevelShapeIsChecked() {
        JsonObject.Reader<String> id = o -> o.string("id");
        assertThrows(JsonException.class, () -> Json.parseObject("[]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(JsonException.class, () -> Json.parseObject("[1]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(JsonException.class, () -> Json.parseObject("null".getBytes(StandardCharsets.UTF_8)));
        assertThrows(JsonException.class, () -> Json.readList("{}".getBytes(StandardCharsets.UTF_8), id));
        assertThrows(JsonException.class, () -> Json.readList("[null]".getBytes(StandardCharsets.UTF_8), id));
    }

    @Test
    void parsesAnIssuedCertificateAnswer() throws Exception {
        Map<String, Object> m = Json.parseObject("""
                {"serial": 42, "type": "user", "principals": ["alice", "deploy-1"], "revoked_at": null,
                 "certificate": "ssh-ed25519-cert-v01@openssh.com AAAA\\u0041 c\\"x", "ok": true, "f": -1.5e3}"""
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(42L, m.get("serial"));
        assertEquals(List.of("alice", "deploy-1"), m.get("principals"));
        assertTrue(m.containsKey("revoked_at"));
        assertNull(m.get("revoked_at"));
        assertEquals("ssh-ed25519-cert-v01@openssh.com AAAAA c\"x", m.get("certificate"));
        assertEquals(Boolean.TRUE, m.get("ok"));
        assertEquals(new Json.BigNumber("-1.5e3"), m.get("f"));
    }

    @Test
    void keepsSurrogatePairs() throws Exception {
        assertEquals(List.of("\uD83D\uDD11"), parse("[\"\\ud83d\\udd11\"]"));
        assertEquals(List.of("\uD83D\uDD11"), parse("[\"\uD83D\uDD11\"]"));
    }

    @Test
    void writesWhatItParses() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("public_key", "ssh-ed25519 AAAA \"q\"\\\n\t\u0001\b\u001f\u00e9\uD83D\uDD11");
        m.put("principals", List.of("a", "b"));
        m.put("n", 7L);
        m.put("i", -3);
        m.put("ok", false);
        m.put("x", null);
        m.put("o", Map.of("k", List.of()));
        byte[] json = Json.write(m);
        assertEquals("{\"public_key\":\"ssh-ed25519 AAAA \\\"q\\\"\\\\\\n\\t\\u0001\\b\\u001F\u00e9\\uD83D\\uDD11\","
                + "\"principals\":[\"a\",\"b\"],\"n\":7,\"i\":-3,\"ok\":false,\"x\":null,\"o\":{\"k\":[]}}",
                new String(json, StandardCharsets.UTF_8));
        m.put("i", -3L);
        assertEquals(m, Json.parse(json));
    }

    @Test
    void namesAreEscapedAsStringsAre() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plain_name", 1);
        m.put("a\"b\\c\nd\u00e9", 2);
        byte[] json = Json.write(m);
        assertEquals("{\"plain_name\":1,\"a\\\"b\\\\c\\nd\u00e9\":2}", new String(json, StandardCharsets.UTF_8));
        assertEquals(Map.of("plain_name", 1L, "a\"b\\c\nd\u00e9", 2L), Json.parse(json));
    }

    @Test
    void refusesToWriteWhatIsNotJson() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(1.5)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        // the generator checks the structure
        assertThrows(IllegalStateException.class, () -> new JsonWriter(16).beginObject().value("no name"));
        assertThrows(IllegalStateException.class, () -> new JsonWriter(16).beginArray().name("x"));
    }

    /** Jackson would write a lone surrogate as an escape, which no strict reader (this one included) takes back. */
    @Test
    void loneSurrogatesInNamesAndValuesAreWrittenAsReplacementCharacters() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("\udc00x\ud800", List.of("a\ud83d", "\ud83d\ude00\ude00"));
        byte[] json = Json.write(m);
        assertEquals("{\"\ufffdx\ufffd\":[\"a\ufffd\",\"\\uD83D\\uDE00\ufffd\"]}", new String(json, StandardCharsets.UTF_8));
        assertEquals(Map.of("\ufffdx\ufffd", List.of("a\ufffd", "\ud83d\ude00\ufffd")), Json.parse(json));
    }
}
