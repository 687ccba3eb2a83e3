package dev.keyward.ca.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser into plain values: {@code Map<String, Object>} (document order, unmodifiable), {@code List<Object>},
 * {@code String}, {@code Long} (integers that fit), {@link Json.BigNumber} (every other number, kept as text),
 * {@code Boolean} and {@code null}. It refuses what lenient parsers let through, because a document the server
 * did not mean is safer rejected than guessed at: duplicate field names, trailing data after the value,
 * unescaped control characters, unknown escapes, unpaired surrogates (escaped or not), invalid or overlong UTF-8,
 * leading zeros, a byte-order mark, nesting deeper than {@link #MAX_DEPTH} and number literals longer than
 * {@link #MAX_NUMBER_CHARS}. {@link Json#parse} caps the document's size.
 */
final class JsonParser {
    /** Containers nested deeper than this are refused (no JSON the agent or the CLI exchanges comes near it). */
    static final int MAX_DEPTH = 32;
    /** Number literals longer than this are refused (a long is at most 20 characters). */
    static final int MAX_NUMBER_CHARS = 100;

    private final byte[] b;
    private int pos;
    private int depth;

    private JsonParser(byte[] b) {
        this.b = b;
    }

    static Object parse(byte[] doc) throws JsonException {
        JsonParser p = new JsonParser(doc);
        p.skipBlanks();
        Object v = p.value();
        p.skipBlanks();
        if (p.pos != doc.length) {
            throw p.error("unexpected data after the JSON value");
        }
        return v;
    }

    private JsonException error(String what) {
        return new JsonException("invalid JSON at byte " + pos + ": " + what);
    }

    private void skipBlanks() {
        while (pos < b.length) {
            byte c = b[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    private Object value() throws JsonException {
        if (pos >= b.length) {
            throw error("unexpected end of the document");
        }
        byte c = b[pos];
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error(c == (byte) 0xEF ? "a byte-order mark is not allowed" : "unexpected character");
        }
    }

    private Object literal(String word, Object v) throws JsonException {
        for (int i = 0; i < word.length(); i++) {
            if (pos + i >= b.length || b[pos + i] != word.charAt(i)) {
                throw error("unexpected character");
            }
        }
        pos += word.length();
        return v;
    }

    /** Past an opening bracket; true (and out again) when {@code close} follows at once. */
    private boolean enter(char close) throws JsonException {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
        pos++;
        skipBlanks();
        if (pos < b.length && b[pos] == close) {
            pos++;
            depth--;
            return true;
        }
        return false;
    }

    private Map<String, Object> object() throws JsonException {
        JsonMap m = new JsonMap();
        if (enter('}')) {
            return m.done();
        }
        while (true) {
            if (pos >= b.length || b[pos] != '"') {
                throw error("expected a field name");
            }
            int at = pos;
            String name = name();
            skipBlanks();
            if (pos >= b.length || b[pos] != ':') {
                throw error("expected ':' after a field name");
            }
            pos++;
            skipBlanks();
            if (!m.add(name, value())) {
                pos = at;
                throw error("duplicate field \"" + name + "\"");
            }
            if (!next('}')) {
                return m.done();
            }
        }
    }

    private List<Object> array() throws JsonException {
        List<Object> l = new ArrayList<>();
        if (enter(']')) {
            return l;
        }
        do {
            l.add(value());
        } while (next(']'));
        return l;
    }

    /** After a member: true past a comma (another member follows), false past {@code close} (the end). */
    private boolean next(char close) throws JsonException {
        skipBlanks();
        if (pos < b.length && b[pos] == ',') {
            pos++;
            skipBlanks();
            return true;
        }
        if (pos < b.length && b[pos] == close) {
            pos++;
            depth--;
            return false;
        }
        throw error("expected ',' or '" + close + "'");
    }

    /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}: a Long when integral and in range. */
    private Object number() throws JsonException {
        int start = pos;
        if (b[pos] == '-') {
            pos++;
        }
        if (pos < b.length && b[pos] == '0') {
            pos++;
            if (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
                throw error("leading zeros are not allowed");
            }
        } else if (digits() == 0) {
            throw error("expected a digit");
        }
        boolean integral = true;
        if (pos < b.length && b[pos] == '.') {
            pos++;
            integral = false;
            if (digits() == 0) {
                throw error("expected a digit after the decimal point");
            }
        }
        if (pos < b.length && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            integral = false;
            if (pos < b.length && (b[pos] == '+' || b[pos] == '-')) {
                pos++;
            }
            if (digits() == 0) {
                throw error("expected a digit in the exponent");
            }
        }
        if (pos - start > MAX_NUMBER_CHARS) {
            pos = start;
            throw error("number longer than " + MAX_NUMBER_CHARS + " characters");
        }
        String text = new String(b, start, pos - start, StandardCharsets.US_ASCII);
        if (integral && pos - start <= 20) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException outOfRange) {
                // kept as text below
            }
        }
        return new Json.BigNumber(text);
    }

    private int digits() {
        int from = pos;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            pos++;
        }
        return pos - from;
    }

    /**
     * A field name: short printable ASCII names come from a small cache, so the names of 30,000 objects are a
     * handful of strings rather than 60,000.
     */
    private String name() throws JsonException {
        int start = pos + 1;
        int h = 0;
        int i = start;
        while (i < b.length && i - start <= 32 && b[i] >= 0x20 && b[i] != '"' && b[i] != '\\') {
            h = 31 * h + b[i];
            i++;
        }
        if (i >= b.length || b[i] != '"' || i - start > 32) {
            return string();
        }
        int slot = (h ^ (h >>> 8)) & (names.length - 1);
        String cached = names[slot];
        if (cached == null || !sameAscii(cached, start, i - start)) {
            cached = new String(b, start, i - start, StandardCharsets.ISO_8859_1);
            names[slot] = cached;
        }
        pos = i + 1;
        return cached;
    }

    private final String[] names = new String[256];

    private boolean sameAscii(String s, int from, int len) {
        if (s.length() != len) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (s.charAt(k) != b[from + k]) {
                return false;
            }
        }
        return true;
    }

    private String string() throws JsonException {
        int start = ++pos;
        // the common case: printable ASCII without escapes
        while (pos < b.length) {
            byte c = b[pos];
            if (c == '"') {
                return new String(b, start, pos++ - start, StandardCharsets.ISO_8859_1);
            }
            if (c == '\\' || c < 0x20) { // c < 0 is a non-ASCII byte
                return slowString(start);
            }
            pos++;
        }
        throw error("unterminated string");
    }

    private String slowString(int start) throws JsonException {
        StringBuilder sb = new StringBuilder(pos - start + 16);
        sb.append(new String(b, start, pos - start, StandardCharsets.ISO_8859_1));
        while (pos < b.length) {
            int c = b[pos] & 0xff;
            if (c == '"') {
                pos++;
                return sb.toString();
            } else if (c == '\\') {
                escape(sb);
            } else if (c < 0x20) {
                throw error("control character in a string (must be escaped)");
            } else if (c < 0x80) {
                sb.append((char) c);
                pos++;
            } else {
                sb.appendCodePoint(utf8(c));
            }
        }
        throw error("unterminated string");
    }

    private void escape(StringBuilder sb) throws JsonException {
        if (pos + 1 >= b.length) {
            throw error("unterminated string");
        }
        byte e = b[pos + 1];
        pos += 2;
        switch (e) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '/' -> sb.append('/');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
                char u = hex4();
                if (Character.isLowSurrogate(u)) {
                    pos -= 6;
                    throw error("unpaired surrogate escape");
                }
                if (Character.isHighSurrogate(u)) {
                    if (pos + 1 >= b.length || b[pos] != '\\' || b[pos + 1] != 'u') {
                        throw error("unpaired surrogate escape");
                    }
                    pos += 2;
                    char low = hex4();
                    if (!Character.isLowSurrogate(low)) {
                        pos -= 6;
                        throw error("unpaired surrogate escape");
                    }
                    sb.append(u);
                    u = low;
                }
                sb.append(u);
            }
            default -> {
                pos -= 2;
                throw error("unknown escape");
            }
        }
    }

    private char hex4() throws JsonException {
        if (pos + 4 > b.length) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(b[pos + i], 16);
            if (d < 0) {
                throw error("bad hex digit in a \\u escape");
            }
            v = v << 4 | d;
        }
        pos += 4;
        return (char) v;
    }

    /** One UTF-8 sequence starting with {@code lead} at pos: shortest form only, no surrogates, at most U+10FFFF. */
    private int utf8(int lead) throws JsonException {
        int n;
        int min;
        int cp;
        if (lead >= 0xC2 && lead <= 0xDF) {
            n = 1;
            min = 0x80;
            cp = lead & 0x1f;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 2;
            min = 0x800;
            cp = lead & 0x0f;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 3;
            min = 0x10000;
            cp = lead & 0x07;
        } else {
            throw error("invalid UTF-8");
        }
        for (int i = 1; i <= n; i++) {
            if (pos + i >= b.length || (b[pos + i] & 0xc0) != 0x80) {
                throw error("invalid UTF-8");
            }
            cp = cp << 6 | (b[pos + i] & 0x3f);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw error("invalid UTF-8");
        }
        pos += n + 1;
        return cp;
    }
}
