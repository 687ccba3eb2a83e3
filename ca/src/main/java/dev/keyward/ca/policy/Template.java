package dev.keyward.ca.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A principal or key-ID template: literal text, the placeholder {@code {{username}}} (spaces inside the braces
 * allowed) and, where the caller allows globs, {@code *}.
 *
 * <p>Expansion is purely textual and happens once: a username containing {@code *} or braces stays literal, it
 * never becomes a glob or a placeholder. A {@code *} matches one or more letters, digits, '.', '_' or '-', so a
 * glob can never match a principal with a comma, whitespace, '@' or a wildcard of its own.
 */
final class Template {
    /** What one {@code *} matches: the POSIX portable user-name characters. */
    static final String GLOB_CHARS = "[A-Za-z0-9._-]+";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

    private sealed interface Part permits Literal, Username, Star {
    }

    private record Literal(String text) implements Part {
    }

    private record Username() implements Part {
    }

    private record Star() implements Part {
    }

    private final String source;
    private final List<Part> parts;

    private Template(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    /**
     * Parses {@code source}.
     *
     * @throws IllegalArgumentException with a message (without the config path) saying what is wrong
     */
    static Template parse(String source, boolean allowGlob) {
        List<Part> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(source);
        int at = 0;
        while (m.find()) {
            addLiteral(source, source.substring(at, m.start()), allowGlob, parts);
            if (!m.group(1).equals("username")) {
                throw new IllegalArgumentException("unknown placeholder '" + m.group() + "' (only {{username}} is"
                        + " supported)");
            }
            parts.add(new Username());
            at = m.end();
        }
        addLiteral(source, source.substring(at), allowGlob, parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("is empty");
        }
        if (parts.stream().allMatch(p -> p instanceof Star)) {
            throw new IllegalArgumentException("'" + source + "' would allow any name, including root; add literal"
                    + " text (deploy-*) or list the names");
        }
        return new Template(source, parts);
    }

    private static void addLiteral(String source, String text, boolean allowGlob, List<Part> parts) {
        if (text.contains("{{") || text.contains("}}")) {
            throw new IllegalArgumentException("'" + source + "' has unbalanced braces (write {{username}})");
        }
        if (text.contains("?")) {
            throw new IllegalArgumentException("'" + source + "' contains '?', which is not supported"
                    + (allowGlob ? " (use '*')" : ""));
        }
        int at = 0;
        for (int star = text.indexOf('*'); star >= 0; star = text.indexOf('*', at)) {
            if (!allowGlob) {
                throw new IllegalArgumentException("'" + source + "' contains '*', which is not allowed here");
            }
            if (star > at) {
                parts.add(new Literal(text.substring(at, star)));
            }
            if (!parts.isEmpty() && parts.getLast() instanceof Star) {
                throw new IllegalArgumentException("'" + source + "' has '**'; one '*' already matches several"
                        + " characters");
            }
            parts.add(new Star());
            at = star + 1;
        }
        if (at < text.length()) {
            parts.add(new Literal(text.substring(at)));
        }
    }

    String source() {
        return source;
    }

    boolean isGlob() {
        for (Part p : parts) {
            if (p instanceof Star) {
                return true;
            }
        }
        return false;
    }

    boolean usesUsername() {
        return parts.stream().anyMatch(p -> p instanceof Username);
    }

    /** The text with {@code {{username}}} replaced; only for templates without globs. */
    String expand(String username) {
        if (isGlob()) {
            throw new IllegalStateException("glob template '" + source + "' cannot be expanded");
        }
        return render(username, "");
    }

    /** The text with {@code {{username}}} and each {@code *} replaced, e.g. to check the literal parts. */
    String render(String username, String star) {
        StringBuilder b = new StringBuilder();
        for (Part p : parts) {
            b.append(switch (p) {
                case Literal l -> l.text();
                case Username u -> username;
                case Star s -> star;
            });
        }
        return b.toString();
    }

    /** Whether {@code candidate} is what this template allows for {@code username}. */
    boolean matches(String candidate, String username) {
        if (!isGlob()) {
            return candidate.equals(render(username, "")); // no regex for the common case: a literal or {{username}}
        }
        StringBuilder regex = new StringBuilder();
        for (Part p : parts) {
            regex.append(switch (p) {
                case Literal l -> Pattern.quote(l.text());
                case Username u -> Pattern.quote(username);
                case Star s -> GLOB_CHARS;
            });
        }
        return Pattern.compile(regex.toString()).matcher(candidate).matches();
    }

    @Override
    public String toString() {
        return source;
    }
}
