package dev.keyward.ca.policy;

import dev.keyward.ca.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed access to the YAML tree (Maps, Lists, Strings, Numbers, Booleans) with errors that name the key path
 * and the fix, e.g. {@code policy.rules[1].roles: expected a list like [engineer], got a string "engineer"}.
 */
final class ConfigValues {
    private ConfigValues() {
    }

    static InvalidInputException error(String path, String problem) {
        return new InvalidInputException(path + ": " + problem);
    }

    /** How a value looks in a message: strings quoted, others with their YAML kind. */
    static String show(Object v) {
        return switch (v) {
            case null -> "nothing (null)";
            case String s -> "\"" + Principals.printable(s) + "\"";
            case Number n -> "the number " + n;
            case Boolean b -> "the boolean " + b;
            case List<?> l -> "a list";
            case Map<?, ?> m -> "a map";
            default -> "a " + v.getClass().getSimpleName();
        };
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object v, String path) {
        if (!(v instanceof Map<?, ?> m)) {
            throw error(path, "expected a map of keys to values, got " + show(v));
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw error(path, "keys must be strings, got " + show(k));
            }
        }
        return (Map<String, Object>) m;
    }

    static List<?> list(Object v, String path, String example) {
        if (!(v instanceof List<?> l)) {
            throw error(path, "expected a list like " + example + ", got " + show(v));
        }
        return l;
    }

    static String string(Object v, String path) {
        if (v instanceof Map<?, ?>) {
            // YAML reads an unquoted {{username}} as a nested map, the most likely way to end up here.
            throw error(path, "expected a string, got a map; quote templates in YAML: \"{{username}}\"");
        }
        if (!(v instanceof String s)) {
            throw error(path, "expected a string, got " + show(v));
        }
        return s;
    }

    static String nonEmptyString(Object v, String path) {
        String s = string(v, path);
        if (s.isBlank()) {
            throw error(path, "may not be empty");
        }
        return s;
    }

    /** A non-empty list of non-empty strings, without duplicates, in order. */
    static List<String> stringList(Object v, String path, String example) {
        List<?> raw = list(v, path, example);
        if (raw.isEmpty()) {
            throw error(path, "is empty; list at least one value (like " + example + ") or remove the key");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String s = nonEmptyString(raw.get(i), path + "[" + i + "]");
            if (out.contains(s)) {
                throw error(path + "[" + i + "]", "\"" + Principals.printable(s) + "\" is listed twice");
            }
            out.add(s);
        }
        return out;
    }

    static void checkKeys(Map<String, Object> m, Set<String> known, String path) {
        for (String k : new TreeSet<>(m.keySet())) {
            if (!known.contains(k)) {
                throw error(path.isEmpty() ? k : path + "." + k, "unknown key; known keys here: "
                        + String.join(", ", new TreeSet<>(known)));
            }
        }
    }
}
