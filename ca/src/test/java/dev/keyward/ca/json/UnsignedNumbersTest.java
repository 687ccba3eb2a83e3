package dev.keyward.ca.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unsigned 64-bit fields (KRL versions): 0 to 2^64-1 read and written as the JSON numbers they are. */
class UnsignedNumbersTest {
    static long read(String json) throws JsonException {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), o -> o.unsignedLong("v"));
    }

    @Test
    void readsTheWholeUnsignedRangeAndNothingElse() throws Exception {
        assertEquals(0, read("{\"v\":0}"));
        assertEquals(Long.MAX_VALUE, read("{\"v\":9223372036854775807}"));
        assertEquals(Long.MIN_VALUE, read("{\"v\":9223372036854775808}"));
        assertEquals(-1L, read("{\"v\":18446744073709551615}"));
        for (String bad : new String[] {"-1", "18446744073709551616", "99999999999999999999", "1.0", "1e3", "\"7\"",
                "null"}) {
            assertThrows(JsonException.class, () -> read("{\"v\":" + bad + "}"), bad);
        }
        assertThrows(JsonException.class, () -> read("{}"));
        assertNull(Json.read("{}".getBytes(StandardCharsets.UTF_8), o -> o.unsignedOrNull("v")));
    }

    @Test
    void writesUnsignedValues() {
        assertEquals("{\"v\":18446744073709551615,\"w\":9223372036854775808}", new String(new JsonWriter(16)
                .beginObject().unsignedField("v", -1L).name("w").any(Json.unsigned(Long.MIN_VALUE)).endObject()
                .toBytes(), StandardCharsets.UTF_8));
        assertEquals("{\"v\":42}", new String(Json.write(Map.of("v", Json.unsigned(42))), StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Json.BigNumber("1,2")));
    }
}
