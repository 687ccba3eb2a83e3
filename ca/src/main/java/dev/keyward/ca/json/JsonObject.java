package dev.keyward.ca.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed JSON object read as a record: typed getters that fail with the field's path
 * ({@code accounts.deploy.keys[2].id: expected a string}). Instances come from {@link Json#read} and
 * {@link Json#readList}, and from the getters for nested objects. The rules are the ones the agent had with Jackson
 * (unknown fields ignored; an absent or null reference field is null; an absent or null primitive field is an
 * error) without Jackson's coercions: a number is never read as a string, nor a string or a fraction as a number.
 */
public final class JsonObject {
    /** Builds a record from its object. */
    public interface Reader<T> {
        T read(JsonObject o) throws JsonException;
    }

    private final Map<String, Object> fields;
    private final JsonObject parent;
    /** This object's place in its parent: a field name, or an index (as an Integer). */
    private final Object at;

    JsonObject(Map<String, Object> fields, JsonObject parent, Object at) {
        this.fields = fields;
        this.parent = parent;
        this.at = at;
    }

    /** The fields as parsed ({@link JsonParser}'s plain values), unmodifiable. */
    public Map<String, Object> asMap() {
        return java.util.Collections.unmodifiableMap(fields);
    }

    /** A string field; null when absent or null. */
    public String string(String name) throws JsonException {
        return string(fields.get(name), name);
    }

    /** An integer field that must be present, not null and fit a long. */
    public long longValue(String name) throws JsonException {
        Object v = fields.get(name);
        if (v instanceof Long l) {
            return l;
        }
        throw wrong(name, v, "an integer from -2^63 to 2^63-1");
    }

    /**
     * An unsigned 64-bit integer field (0 to 2^64-1) that must be present and not null, returned as the long with
     * the same 64 bits: compare with {@link Long#compareUnsigned}, print with {@link Long#toUnsignedString(long)}.
     */
    public long unsignedLong(String name) throws JsonException {
        Object v = fields.get(name);
        if (v instanceof Long l && l >= 0) {
            return l;
        }
        if (v instanceof Json.BigNumber b && Json.UNSIGNED_64.matcher(b.text()).matches()) {
            try {
                return Long.parseUnsignedLong(b.text());
            } catch (NumberFormatException tooLarge) {
                // reported below
            }
        }
        throw wrong(name, v, "an integer from 0 to 2^64-1");
    }

    /** {@link #unsignedLong}, or null when absent or null. */
    public Long unsignedOrNull(String name) throws JsonException {
        return fields.get(name) == null ? null : unsignedLong(name);
    }

    /** An integer field that must be present, not null and fit an int. */
    public int intValue(String name) throws JsonException {
        Object v = fields.get(name);
        if (v instanceof Long l && l == l.intValue()) {
            return l.intValue();
        }
        throw wrong(name, v, "an integer from -2^31 to 2^31-1");
    }

    /** Null when absent or null. */
    public Integer integer(String name) throws JsonException {
        return fields.get(name) == null ? null : intValue(name);
    }

    /** A boolean field that must be present and not null. */
    public boolean bool(String name) throws JsonException {
        Object v = fields.get(name);
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrong(name, v, "true or false");
    }

    /** An object field read by {@code r}; null when absent or null. */
    public <T> T object(String name, Reader<T> r) throws JsonException {
        return object(fields.get(name), name, r);
    }

    /** An array of strings (elements may be null); null when absent or null. */
    public List<String> strings(String name) throws JsonException {
        return elements(name, (holder, v, i) -> holder.string(v, i));
    }

    /** An array of objects (elements may be null); null when absent or null. */
    public <T> List<T> objects(String name, Reader<T> r) throws JsonException {
        return elements(name, (holder, v, i) -> holder.object(v, i, r));
    }

    private interface Element<T> {
        T read(JsonObject holder, Object v, int i) throws JsonException;
    }

    private <T> List<T> elements(String name, Element<T> e) throws JsonException {
        List<?> l = list(name);
        if (l == null) {
            return null;
        }
        JsonObject holder = new JsonObject(null, this, name); // for the path in messages: name[i]
        List<T> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            out.add(e.read(holder, l.get(i), i));
        }
        return out;
    }

    /** An object used as a map from names to objects (values may be null); null when absent or null. */
    public <T> Map<String, T> objectMap(String name, Reader<T> r) throws JsonException {
        Object v = fields.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw wrong(name, v, "an object");
        }
        JsonObject holder = new JsonObject(null, this, name);
        Map<String, T> out = new LinkedHashMap<>(m.size() * 4 / 3 + 1);
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.put((String) e.getKey(), holder.object(e.getValue(), e.getKey(), r));
        }
        return out;
    }

    private List<?> list(String name) throws JsonException {
        Object v = fields.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> l) {
            return l;
        }
        throw wrong(name, v, "an array");
    }

    @SuppressWarnings("unchecked")
    private <T> T object(Object v, Object name, Reader<T> r) throws JsonException {
        if (v == null) {
            return null;
        }
        if (v instanceof Map<?, ?> m) {
            return r.read(new JsonObject((Map<String, Object>) m, this, name));
        }
        throw wrong(name, v, "an object");
    }

    private String string(Object v, Object name) throws JsonException {
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw wrong(name, v, "a string");
    }

    private JsonException wrong(Object name, Object v, String expected) {
        String got = v == null ? (name instanceof String s && fields != null && !fields.containsKey(s) ? "nothing" : "null")
                : v instanceof String ? "a string" : v instanceof Boolean ? "a boolean" : v instanceof Map ? "an object"
                : v instanceof List ? "an array" : "the number " + abbreviate(v.toString());
        return new JsonException(path(name) + ": expected " + expected + ", got " + got);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private String path(Object name) {
        StringBuilder sb = new StringBuilder();
        for (JsonObject o = this; o != null; o = o.parent) {
            if (o.at != null) {
                sb.insert(0, o.at instanceof Integer i ? "[" + i + "]" : "." + o.at);
            }
        }
        sb.append(name instanceof Integer i ? "[" + i + "]" : "." + name);
        return sb.charAt(0) == '.' ? sb.substring(1) : sb.toString();
    }
}
