package dev.keyward.ca.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The strict JSON codec ({@link Json}), which the agent and the CLI use to talk to a server that reads and writes
 * with Jackson. Only {@link JsonException} may escape the parser. Whatever it accepts must mean the same to Jackson
 * (strict duplicate detection, no trailing tokens: the server's settings), and what the writer makes of it must
 * read back as the same value and be Jackson's bytes for that value.
 */
class JsonFuzzTest {
    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

    @FuzzTest
    void document(byte[] data) throws IOException {
        Object value;
        try {
            value = Json.parse(data);
        } catch (JsonException e) {
            return;
        }
        byte[] written = Json.write(value);
        assertEquals(value, Json.parse(written), "the written document reads back as the same value");
        assertArrayEquals(written, Json.write(Json.parse(written)), "writing is stable");

        JsonNode server = JACKSON.readTree(data); // a document we accept must be one the server accepts
        assertTrue(sameValue(value, server), () -> "Jackson reads " + server + " where the codec reads " + value);
        if (integralOnly(server)) {
            // Jackson writes non-integral numbers in its own notation; everything else must be byte-identical
            assertArrayEquals(JACKSON.writeValueAsBytes(server), written, "the writer writes Jackson's bytes");
        }
    }

    /** Whether our plain value and Jackson's tree are the same JSON value (numbers compared by value). */
    private static boolean sameValue(Object ours, JsonNode theirs) {
        if (ours == null) {
            return theirs.isNull();
        }
        if (ours instanceof String s) {
            return theirs.isTextual() && theirs.textValue().equals(s);
        }
        if (ours instanceof Boolean b) {
            return theirs.isBoolean() && theirs.booleanValue() == b;
        }
        if (ours instanceof Long || ours instanceof Json.BigNumber) {
            // integers by value; other numbers only by kind (Jackson reads them as doubles, the codec keeps the text)
            boolean integral = ours instanceof Long || INTEGER.matcher(ours.toString()).matches();
            return theirs.isNumber() && (!integral
                    || theirs.isIntegralNumber() && new BigInteger(ours.toString()).equals(theirs.bigIntegerValue()));
        }
        if (ours instanceof List<?> l) {
            if (!theirs.isArray() || theirs.size() != l.size()) {
                return false;
            }
            for (int i = 0; i < l.size(); i++) {
                if (!sameValue(l.get(i), theirs.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (ours instanceof Map<?, ?> m) {
            if (!theirs.isObject() || theirs.size() != m.size()) {
                return false;
            }
            List<String> names = new ArrayList<>();
            theirs.fieldNames().forEachRemaining(names::add);
            if (!names.equals(new ArrayList<>(m.keySet()))) {
                return false; // same names in the same (document) order
            }
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = theirs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                fields.put(e.getKey(), e.getValue());
            }
            return m.entrySet().stream().allMatch(e -> sameValue(e.getValue(), fields.get((String) e.getKey())));
        }
        return false;
    }

    private static boolean integralOnly(JsonNode n) {
        if (n.isNumber()) {
            return n.isIntegralNumber();
        }
        for (JsonNode c : n) {
            if (!integralOnly(c)) {
                return false;
            }
        }
        return true;
    }
}
