package dev.keyward.ca.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes compact JSON as UTF-8. Strings are escaped as Jackson escapes them, byte for byte (the inventory hash is
 * taken over these bytes and must not change with the library): quote and backslash with a backslash; b t n f r
 * in their short forms; other control characters as backslash-u-00XX (upper-case hex); each char of a surrogate
 * pair as backslash-u-XXXX; everything else, DEL and U+2028 included, as UTF-8. A lone surrogate, which no strict reader
 * accepts, is written as U+FFFD.
 */
public final class JsonWriter {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    /** RFC 8259's number grammar, for {@link Json.BigNumber}s (whose text is written as it is). */
    private static final java.util.regex.Pattern BIG_NUMBER =
            java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private byte[] buf;
    private int n;
    /** A value was just completed at this level, so the next name or element needs a comma. */
    private boolean comma;

    /** @param capacity the initial buffer size in bytes (it grows as needed) */
    public JsonWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    /** The bytes written so far. */
    public byte[] toBytes() {
        return Arrays.copyOf(buf, n);
    }

    public JsonWriter beginObject() {
        separate();
        raw('{');
        comma = false;
        return this;
    }

    public JsonWriter endObject() {
        raw('}');
        comma = true;
        return this;
    }

    public JsonWriter beginArray() {
        separate();
        raw('[');
        comma = false;
        return this;
    }

    public JsonWriter endArray() {
        raw(']');
        comma = true;
        return this;
    }

    /** A field name, escaped as string values are; its value follows. */
    public JsonWriter name(String name) {
        separate();
        string(name);
        raw(':');
        comma = false;
        return this;
    }

    /** A string, or {@code null}. */
    public JsonWriter value(String s) {
        separate();
        if (s == null) {
            ascii("null");
        } else {
            string(s);
        }
        comma = true;
        return this;
    }

    public JsonWriter value(long v) {
        separate();
        ascii(Long.toString(v));
        comma = true;
        return this;
    }

    /** An unsigned 64-bit integer: the bits of {@code v}, 0 to 2^64-1. */
    public JsonWriter unsignedValue(long v) {
        separate();
        ascii(Long.toUnsignedString(v));
        comma = true;
        return this;
    }

    public JsonWriter value(boolean v) {
        separate();
        ascii(v ? "true" : "false");
        comma = true;
        return this;
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
            separate();
            ascii(big.text());
            comma = true;
            return this;
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

    private void separate() {
        if (comma) {
            raw(',');
        }
    }

    private void ensure(int more) {
        if (n + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
        }
    }

    private void raw(char c) {
        ensure(1);
        buf[n++] = (byte) c;
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[n++] = (byte) s.charAt(i);
        }
    }

    private void string(String s) {
        ensure(s.length() * 6 + 2);
        buf[n++] = '"';
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                buf[n++] = (byte) c;
            } else if (c == '"' || c == '\\') {
                buf[n++] = '\\';
                buf[n++] = (byte) c;
            } else if (c < 0x20) {
                buf[n++] = '\\';
                switch (c) {
                    case '\b' -> buf[n++] = 'b';
                    case '\t' -> buf[n++] = 't';
                    case '\n' -> buf[n++] = 'n';
                    case '\f' -> buf[n++] = 'f';
                    case '\r' -> buf[n++] = 'r';
                    default -> unicode(c);
                }
            } else if (c < 0x800) {
                buf[n++] = (byte) (0xc0 | (c >> 6));
                buf[n++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                buf[n++] = '\\';
                unicode(c);
                buf[n++] = '\\';
                unicode(s.charAt(++i));
            } else {
                char x = Character.isSurrogate(c) ? '\uFFFD' : c;
                buf[n++] = (byte) (0xe0 | (x >> 12));
                buf[n++] = (byte) (0x80 | ((x >> 6) & 0x3f));
                buf[n++] = (byte) (0x80 | (x & 0x3f));
            }
        }
        buf[n++] = '"';
    }

    /** u and four upper-case hex digits (the backslash is already written). */
    private void unicode(char c) {
        buf[n++] = 'u';
        buf[n++] = HEX[(c >> 12) & 0xf];
        buf[n++] = HEX[(c >> 8) & 0xf];
        buf[n++] = HEX[(c >> 4) & 0xf];
        buf[n++] = HEX[c & 0xf];
    }

    /** Plain values (as {@link #any}) indented by two spaces, for people ({@code keyward-agent status --json}). */
    static String pretty(Object v) {
        StringBuilder sb = new StringBuilder();
        pretty(sb, v, "");
        return sb.toString();
    }

    private static void pretty(StringBuilder sb, Object v, String indent) {
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            sb.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(indent).append("  ").append(compact(e.getKey())).append(": ");
                pretty(sb, e.getValue(), indent + "  ");
                sb.append(++i < m.size() ? ",\n" : "\n");
            }
            sb.append(indent).append('}');
        } else if (v instanceof List<?> l && !l.isEmpty()) {
            sb.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                sb.append(indent).append("  ");
                pretty(sb, l.get(i), indent + "  ");
                sb.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            sb.append(indent).append(']');
        } else {
            sb.append(compact(v));
        }
    }

    private static String compact(Object v) {
        return new String(new JsonWriter(64).any(v).toBytes(), StandardCharsets.UTF_8);
    }
}
