package dev.keyward.agent.inventory;

import dev.keyward.agent.protocol.InventoryKey;
import java.util.Arrays;
import java.util.List;

/**
 * The JSON of an inventory key list, byte for byte what {@code Json.write(List<InventoryKey>)} (Jackson) writes:
 * fields in record order, snake_case names, nulls written, quote, backslash and control characters escaped
 * the way Jackson does (short forms for b t n f r, backslash-u-00XX otherwise), surrogates as
 * backslash-u-XXXX (upper-case hex), everything else as UTF-8. The inventory hash is SHA-256 over these bytes; Jackson takes longer
 * to warm up for 30,000 keys than to write them, which a one-shot cycle pays every time.
 * {@code InventoryJsonTest} compares the two.
 */
final class InventoryJson {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private byte[] buf;
    private int n;

    private InventoryJson(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    static byte[] write(List<InventoryKey> keys) {
        InventoryJson w = new InventoryJson(keys.size() * 256 + 2);
        w.raw('[');
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                w.raw(',');
            }
            InventoryKey k = keys.get(i);
            w.name("{\"account\":").str(k.account());
            w.name(",\"file\":").str(k.file());
            w.name(",\"line\":").num(k.line());
            w.name(",\"source\":").str(k.source());
            w.name(",\"type\":").str(k.type());
            w.name(",\"bits\":").num(k.bits());
            w.name(",\"fingerprint\":").str(k.fingerprint());
            w.name(",\"comment\":").str(k.comment());
            w.name(",\"options\":");
            if (k.options() == null) {
                w.name("null");
            } else {
                w.raw('[');
                for (int j = 0; j < k.options().size(); j++) {
                    if (j > 0) {
                        w.raw(',');
                    }
                    w.str(k.options().get(j));
                }
                w.raw(']');
            }
            w.name(",\"problem\":").str(k.problem());
            w.raw('}');
        }
        w.raw(']');
        return Arrays.copyOf(w.buf, w.n);
    }

    private void ensure(int more) {
        if (n + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
        }
    }

    private InventoryJson raw(char c) {
        ensure(1);
        buf[n++] = (byte) c;
        return this;
    }

    /** ASCII text as it is. */
    private InventoryJson name(String ascii) {
        ensure(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            buf[n++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    private InventoryJson num(int v) {
        return name(Integer.toString(v));
    }

    private InventoryJson str(String s) {
        if (s == null) {
            return name("null");
        }
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
            } else if (Character.isSurrogate(c)) {
                buf[n++] = '\\';
                unicode(c);
            } else {
                buf[n++] = (byte) (0xe0 | (c >> 12));
                buf[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                buf[n++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        buf[n++] = '"';
        return this;
    }

    /** u and four upper-case hex digits (the backslash is already written). */
    private void unicode(char c) {
        buf[n++] = 'u';
        buf[n++] = HEX[(c >> 12) & 0xf];
        buf[n++] = HEX[(c >> 8) & 0xf];
        buf[n++] = HEX[(c >> 4) & 0xf];
        buf[n++] = HEX[c & 0xf];
    }
}
