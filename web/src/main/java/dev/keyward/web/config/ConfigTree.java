package dev.keyward.web.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.keyward.ca.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One mapping of the YAML configuration with its dotted path, so that every error names the key it is about.
 * {@link #checkKnown(Set)} rejects keys the server does not understand (a typo must not be silently ignored).
 */
final class ConfigTree {
    private final JsonNode node;
    private final String path;

    ConfigTree(JsonNode node, String path) {
        this.node = node == null || node.isNull() ? MissingNode.getInstance() : node;
        this.path = path;
        if (!this.node.isMissingNode() && !this.node.isObject()) {
            throw new ConfigException((path.isEmpty() ? "the configuration" : path) + " must be a mapping of keys");
        }
    }

    ConfigTree section(String key) {
        return new ConfigTree(node.get(key), name(key));
    }

    String name(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    void checkKnown(Set<String> known) {
        Iterator<String> it = node.fieldNames();
        List<String> unknown = new ArrayList<>();
        while (it.hasNext()) {
            String k = it.next();
            if (!known.contains(k)) {
                unknown.add(name(k));
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown configuration key " + String.join(", ", unknown) + "; known keys"
                    + (path.isEmpty() ? "" : " under " + path) + ": " + String.join(", ", known.stream().sorted().toList()));
        }
    }

    Optional<String> string(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isValueNode()) {
            throw new ConfigException(name(key) + " must be a single value, not a list or mapping");
        }
        String s = v.asText().strip();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** Whether {@code key} is present at all (even with an empty value). */
    boolean has(String key) {
        return node.has(key);
    }

    /** Whether {@code key} holds a mapping (a nested section) rather than a single value. */
    boolean isMapping(String key) {
        JsonNode v = node.get(key);
        return v != null && v.isObject();
    }

    /** A list of non-empty strings (one string counts as a list of one); empty when absent. */
    List<String> strings(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v.isArray() ? v : List.of(v)) {
            if (!e.isValueNode() || e.asText().isBlank()) {
                throw new ConfigException(name(key) + " must be a list of non-empty strings, e.g. [a, b]");
            }
            out.add(e.asText().strip());
        }
        return out;
    }

    Optional<Integer> integer(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return Optional.of(v.asInt());
        }
        if (v.isTextual()) {
            return Optional.of(parseInt(name(key), v.asText()));
        }
        throw new ConfigException(name(key) + " must be a whole number, got '" + v.asText() + "'");
    }

    Optional<Boolean> bool(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (v.isBoolean()) {
            return Optional.of(v.asBoolean());
        }
        throw new ConfigException(name(key) + " must be true or false, got '" + v.asText() + "'");
    }

    Optional<Duration> duration(String key) {
        return string(key).map(s -> parseDuration(name(key), s));
    }

    Map<String, Object> asMap(ObjectMapper mapper) {
        if (node.isMissingNode()) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = mapper.convertValue(node, Map.class);
        return m;
    }

    static int parseInt(String key, String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a whole number, got '" + text + "'");
        }
    }

    static Duration parseDuration(String key, String text) {
        try {
            return Durations.parse(text, key);
        } catch (InvalidInputException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
