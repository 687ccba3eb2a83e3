package dev.keyward.web.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * A load generator's command line as its script passes it: {@code --name value} pairs and the flag
 * {@code --strict} (exit 1 when a target is missed).
 */
final class BenchArgs {
    private final Map<String, String> options = new TreeMap<>();

    BenchArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String k = args[i].substring(2);
            if (k.equals("strict")) {
                options.put(k, "true");
            } else if (i + 1 < args.length) {
                options.put(k, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + k + " needs a value");
            }
        }
    }

    boolean strict() {
        return options.containsKey("strict");
    }

    String get(String k, String dflt) {
        return options.getOrDefault(k, dflt);
    }

    String required(String k) {
        String v = options.get(k);
        if (v == null) {
            throw new IllegalArgumentException("--" + k + " is required");
        }
        return v;
    }

    /** A whole number of at least {@code least}, {@code dflt} when absent. */
    int atLeast(String k, int least, int dflt) {
        int v = Integer.parseInt(get(k, Integer.toString(dflt)));
        if (v < least) {
            throw new IllegalArgumentException("--" + k + " must be " + least + " or more, got " + v);
        }
        return v;
    }
}
