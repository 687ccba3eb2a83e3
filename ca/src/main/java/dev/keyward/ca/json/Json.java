package dev.keyward.ca.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keyward's JSON for the agent and the engineers' CLI: a strict parser ({@link JsonParser}), typed reading of
 * records ({@link JsonObject}) and a writer ({@link JsonWriter}). Hand-written rather than a data-binding
 * library: the agent reads a handful of record types, and a library's start-up (class loading, reflection, JIT)
 * cost more than the parsing in every one-shot cycle, and most of the idle agent's metaspace; neither the agent
 * nor the CLI carries Jackson. Unknown fields are ignored by {@link JsonObject} (either side may add optional
 * fields); nulls are written as nulls except where a record says otherwise.
 */
public final class Json {
    /** Documents larger than this are refused unread (the same cap as the agent's HTTP client puts on bodies). */
    public static final int MAX_BYTES = 64 * 1024 * 1024;

    /** A number that is not an integer in the range of a long, kept as written. */
    public record BigNumber(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** A decimal unsigned integer as JSON writes it: no sign, no leading zero, at most 20 digits. */
    static final java.util.regex.Pattern UNSIGNED_64 = java.util.regex.Pattern.compile("0|[1-9][0-9]{0,19}");

    private Json() {
    }

    /**
     * An unsigned 64-bit value (the bits of {@code v}) as a value {@link JsonWriter#any} writes as a JSON number:
     * a {@code Long} up to 2^63-1, a {@link BigNumber} above (KRL versions and serials are uint64).
     */
    public static Object unsigned(long v) {
        return v >= 0 ? (Object) v : new BigNumber(Long.toUnsignedString(v));
    }

    /**
     * Any JSON value, the whole of {@code json} (UTF-8), as plain Java values: {@code Map<String, Object>} (fields in
     * document order, unmodifiable), {@code List<Object>}, {@code String}, {@code Long}, {@link BigNumber},
     * {@code Boolean} and {@code null}. See {@link JsonParser} for what is refused.
     *
     * @throws JsonException if the document is not strict JSON, or is larger than {@link #MAX_BYTES}
     */
    public static Object parse(byte[] json) throws JsonException {
        if (json.length > MAX_BYTES) {
            throw new JsonException("JSON document of " + json.length + " bytes is larger than " + MAX_BYTES);
        }
        return JsonParser.parse(json);
    }

    /** A document whose top level is an object (see {@link #parse}). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(byte[] json) throws JsonException {
        Object v = parse(json);
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new JsonException("expected a JSON object at the top level");
    }

    /** A record from a document whose top level is its object. */
    public static <T> T read(byte[] json, JsonObject.Reader<T> reader) throws JsonException {
        return reader.read(new JsonObject(parseObject(json), null, null));
    }

    /** Records from a document whose top level is an array of their objects (no nulls). */
    public static <T> List<T> readList(byte[] json, JsonObject.Reader<T> reader) throws JsonException {
        Object v = parse(json);
        if (!(v instanceof List<?> l)) {
            throw new JsonException("expected a JSON array at the top level");
        }
        List<T> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof Map<?, ?> m)) {
                throw new JsonException("[" + i + "]: expected an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = (Map<String, Object>) m;
            out.add(reader.read(new JsonObject(fields, null, i)));
        }
        return out;
    }

    /**
     * Compact UTF-8 JSON of a record, a list or map of them, or a plain value (see {@link JsonWriter#any}).
     *
     * @throws IllegalArgumentException for a value {@link JsonWriter#any} does not take
     */
    public static byte[] write(Object value) {
        return new JsonWriter(256).any(value).toBytes();
    }

    /** Indented JSON for people (two spaces per level; the values {@link JsonWriter#any} takes). */
    public static String pretty(Object value) {
        return JsonWriter.pretty(value);
    }

}
