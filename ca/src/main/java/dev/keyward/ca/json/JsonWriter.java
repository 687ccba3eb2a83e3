package dev.keyward.ca.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Writes compact UTF-8 JSON with a jackson-core generator ({@link Jackson#FACTORY}), whose escaping is fixed byte for
 * byte (the inventory hash is taken over these bytes): quote and backslash with a backslash; b t n f r in their short
 * forms; other control characters as backslash-u-00XX (upper-case hex); each char of a surrogate pair as
 * backslash-u-XXXX; everything else, DEL and U+2028 included, as UTF-8. A lone surrogate, which no strict reader
 * accepts (Jackson would write it as an escape), is written as U+FFFD. The generator checks the structure: a value
 * where a name is due, say, is a programming error ({@link IllegalStateException}).
 */
public final class JsonWriter {
    /** RFC 8259's number grammar, for {@link Json.BigNumber}s (whose text is written as it is). */
    private static final java.util.regex.Pattern BIG_NUMBER =
            java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    /** {@link Json#pretty}'s layout: two spaces per level, {@code "name": value}, empty containers as {@code []}. */
    private static final Separators FOR_PEOPLE = Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withObjectEmptySeparator("")
            .withArrayEmptySeparator("");

    private final ByteArrayBuilder out;
    private final JsonGenerator g;

    /** @param capacity the initial buffer size in bytes (it grows as needed) */
    public JsonWriter(int capacity) {
        this(capacity, false);
    }

    private JsonWriter(int capacity, boolean forPeople) {
        out = new ByteArrayBuilder(Math.max(16, capacity));
        try {
            g = Jackson.FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new IllegalStateException(e); // not reached: nothing is written yet
        }
        if (forPeople) {
            DefaultIndenter indent = new DefaultIndenter("  ", "\n");
            DefaultPrettyPrinter pp = new DefaultPrettyPrinter(FOR_PEOPLE);
            pp.indentObjectsWith(indent);
            pp.indentArraysWith(indent);
            g.setPrettyPrinter(pp);
        }
    }

    /** The bytes written; the writer is done. */
    public byte[] toBytes() {
        write(JsonGenerator::close);
        return out.toByteArray();
    }

    public JsonWriter beginObject() {
        return write(JsonGenerator::writeStartObject);
    }

    public JsonWriter endObject() {
        return write(JsonGenerator::writeEndObject);
    }

    public JsonWriter beginArray() {
        return write(JsonGenerator::writeStartArray);
    }

    public JsonWriter endArray() {
        return write(JsonGenerator::writeEndArray);
    }

    /** A field name, escaped as string values are; its value follows. */
    public JsonWriter name(String name) {
        return write(g -> g.writeFieldName(wellFormed(name)));
    }

    /** A string, or {@code null}. */
    public JsonWriter value(String s) {
        return write(g -> {
            if (s == null) {
                g.writeNull();
            } else {
                g.writeString(wellFormed(s));
            }
        });
    }

    public JsonWriter value(long v) {
        return write(g -> g.writeNumber(v));
    }

    /** An unsigned 64-bit integer: the bits of {@code v}, 0 to 2^64-1. */
    public JsonWriter unsignedValue(long v) {
        return write(g -> g.writeNumber(Long.toUnsignedString(v)));
    }

    public JsonWriter value(boolean v) {
        return write(g -> g.writeBoolean(v));
    }

    public JsonWriter field(String name, String v) {
        return name(name).value(v);
    }

    public JsonWriter field(String name, long v) {
        return name(name).value(v);
    }

    /** An unsigned 64-bit field (see {@link #unsignedValue}). */
    public JsonWriter unsignedField(String name, long v) {
        return name(name).unsignedValue(v);
    }

    public JsonWriter field(String name, boolean v) {
        return name(name).value(v);
    }

    /** The field only when {@code v} is not null. */
    public JsonWriter optional(String name, String v) {
        return v == null ? this : field(name, v);
    }

    public JsonWriter optional(String name, Integer v) {
        return v == null ? this : field(name, v.longValue());
    }

    /** {@code null} or the object. */
    public JsonWriter field(String name, JsonWritable v) {
        name(name);
        return any(v);
    }

    /** {@code null} or an array of strings and objects (or any other value {@link #any} takes). */
    public JsonWriter field(String name, List<?> v) {
        name(name);
        return any(v);
    }

    /**
     * Any of: null, String, Boolean, an integral Number, a {@link Json.BigNumber}, {@link JsonWritable}, {@code List} and {@code Map} with
     * String keys, of these. Anything else is a programming error.
     */
    public JsonWriter any(Object v) {
        if (v == null || v instanceof String) {
            return value((String) v);
        } else if (v instanceof Boolean bool) {
            return value(bool.booleanValue());
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return value(((Number) v).longValue());
        } else if (v instanceof Json.BigNumber big) {
            if (!BIG_NUMBER.matcher(big.text()).matches()) {
                throw new IllegalArgumentException("not a JSON number: " + big.text());
            }
            return write(g -> g.writeNumber(big.text()));
        } else if (v instanceof JsonWritable w) {
            w.writeJson(this);
            return this;
        } else if (v instanceof List<?> l) {
            beginArray();
            for (Object o : l) {
                any(o);
            }
            return endArray();
        } else if (v instanceof Map<?, ?> m) {
            beginObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                name((String) e.getKey());
                any(e.getValue());
            }
            return endObject();
        }
        throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
    }

    private interface Write {
        void to(JsonGenerator g) throws IOException;
    }

    /** Writing to memory fails only when the writer is misused (a value where a name is due, say). */
    private JsonWriter write(Write w) {
        try {
            w.to(g);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write this JSON: " + e.getMessage(), e);
        }
        return this;
    }

    /** {@code s} with each unpaired surrogate replaced by U+FFFD. */
    private static String wellFormed(String s) {
        int i = Json.unpairedSurrogate(s, 0);
        if (i < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int from = 0;
        for (; i >= 0; i = Json.unpairedSurrogate(s, from)) {
            sb.append(s, from, i).append('\uFFFD');
            from = i + 1;
        }
        return sb.append(s, from, s.length()).toString();
    }

    /** Plain values (as {@link #any}) indented by two spaces, for people ({@code keyward-agent status --json}). */
    static String pretty(Object v) {
        return new String(new JsonWriter(256, true).any(v).toBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
