package dev.keyward.ca.json;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A parsed JSON object: its fields in document order in one array, unmodifiable. A state document holds tens of
 * thousands of two- or three-field objects, and a LinkedHashMap per object was most of what the parser allocated
 * (and what the young collections copied while the document was read). Lookup is a scan up to
 * {@link #INDEXED} fields and a hash index above (the accounts map of a large host).
 */
final class JsonMap extends AbstractMap<String, Object> {
    private static final int INDEXED = 8;

    private Object[] kv = new Object[8];
    private int size;
    private Map<String, Integer> index;

    /** Adds a field whose name is not there yet (the parser refuses duplicate names). */
    void add(String name, Object value) {
        if (2 * size + 2 > kv.length) {
            kv = java.util.Arrays.copyOf(kv, kv.length * 2);
        }
        kv[2 * size] = name;
        kv[2 * size + 1] = value;
        size++;
        if (index != null) {
            index.put(name, size - 1);
        } else if (size > INDEXED) {
            index = new HashMap<>();
            for (int i = 0; i < size; i++) {
                index.put((String) kv[2 * i], i);
            }
        }
    }

    /** Trims the array once the object is complete. */
    JsonMap done() {
        if (kv.length > 2 * size) {
            kv = java.util.Arrays.copyOf(kv, 2 * size);
        }
        return this;
    }

    private int find(Object name) {
        if (index != null) {
            Integer i = index.get(name);
            return i == null ? -1 : i;
        }
        for (int i = 0; i < size; i++) {
            if (kv[2 * i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Object get(Object name) {
        int i = find(name);
        return i < 0 ? null : kv[2 * i + 1];
    }

    @Override
    public boolean containsKey(Object name) {
        return find(name) >= 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < size;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (i >= size) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, Object> e = new SimpleImmutableEntry<>((String) kv[2 * i], kv[2 * i + 1]);
                        i++;
                        return e;
                    }
                };
            }
        };
    }
}
