package dev.keyward.ca.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one document with jackson-core's streaming parser ({@link Jackson#FACTORY}) into plain values:
 * {@code Map<String, Object>} (a {@link JsonMap}: document order, unmodifiable), {@code List<Object>}, {@code String},
 * {@code Long} (integers that fit), {@link Json.BigNumber} (every other number, kept as written), {@code Boolean} and
 * {@code null}. Jackson refuses malformed JSON, invalid UTF-8 (overlong forms and encoded surrogates included),
 * duplicate names and what exceeds the factory's limits; this class adds what its parser lets through: a byte-order
 * mark or another encoding than UTF-8, data after the value, and unpaired surrogates written as escapes.
 */
final class JsonReader {
    private JsonReader() {
    }

    static Object parse(byte[] doc) throws JsonException {
        refuseOtherEncodings(doc);
        JsonParser p;
        try {
            p = Jackson.FACTORY.createParser(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not reached: nothing is read yet
        }
        try (p) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw invalid(p, "no JSON value");
            }
            Object v = value(p, first);
            // Jackson reads a stream of values by default; a document is one
            if (p.nextToken() != null) {
                throw invalid(p, "unexpected data after the JSON value");
            }
            return v;
        } catch (JsonException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw invalid(p, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not reached: the source is a byte array
        }
    }

    /**
     * RFC 8259 section 8.1: UTF-8 without a byte-order mark. Jackson guesses the encoding from the first four bytes (a
     * byte-order mark, or the zero bytes of UTF-16 and UTF-32) and skips a UTF-8 mark; a JSON text in UTF-8 has no
     * zero byte and starts with an ASCII character, so with these refused Jackson reads UTF-8.
     */
    private static void refuseOtherEncodings(byte[] doc) throws JsonException {
        if (doc.length > 0 && (doc[0] == (byte) 0xEF || doc[0] == (byte) 0xFE || doc[0] == (byte) 0xFF)) {
            throw new JsonException("invalid JSON at byte 0: a byte-order mark is not allowed");
        }
        for (int i = 0; i < Math.min(4, doc.length); i++) {
            if (doc[i] == 0) {
                throw new JsonException("invalid JSON at byte " + i + ": a zero byte (JSON is read as UTF-8 only)");
            }
        }
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                JsonMap m = new JsonMap();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    m.add(wellFormed(p, name), value(p, p.nextToken()));
                }
                return m.done();
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    l.add(value(p, e));
                }
                return l;
            }
            case VALUE_STRING:
                return wellFormed(p, p.getText());
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? new Json.BigNumber(p.getText())
                        : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return new Json.BigNumber(p.getText());
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw invalid(p, "unexpected " + t); // not reached: Jackson checks the structure
        }
    }

    /**
     * {@code s} when it has no unpaired surrogate. Jackson has already refused invalid UTF-8, so an unpaired one can
     * only come from an escape ({@code "\ud800"}), which it accepts.
     */
    private static String wellFormed(JsonParser p, String s) throws JsonException {
        if (Json.unpairedSurrogate(s, 0) >= 0) {
            throw invalid(p, "unpaired surrogate escape");
        }
        return s;
    }

    private static JsonException invalid(JsonParser p, String what) {
        return invalid(p.currentTokenLocation(), p, what);
    }

    /** Jackson's own message, without the location it appends (this one says where in other words). */
    private static JsonException invalid(JsonParser p, JsonProcessingException e) {
        return invalid(e.getLocation() != null ? e.getLocation() : p.currentLocation(), p, e.getOriginalMessage());
    }

    private static JsonException invalid(JsonLocation at, JsonParser p, String what) {
        long offset = at.getByteOffset() >= 0 ? at.getByteOffset() : p.currentLocation().getByteOffset();
        String path = path(p.getParsingContext());
        if (path.length() > 80) {
            path = "..." + path.substring(path.length() - 80);
        }
        return new JsonException("invalid JSON at byte " + Math.max(0, offset) + (path.isEmpty() ? "" : " (" + path + ")")
                + ": " + what);
    }

    /** Where the parser is, as {@link JsonObject} names fields: {@code accounts.deploy.keys[2].id}. */
    private static String path(JsonStreamContext c) {
        StringBuilder sb = new StringBuilder();
        for (; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                sb.insert(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                sb.insert(0, "." + c.getCurrentName());
            }
        }
        return sb.length() > 0 && sb.charAt(0) == '.' ? sb.substring(1) : sb.toString();
    }
}
