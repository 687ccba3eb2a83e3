package dev.keyward.web.db;

import java.util.Optional;

/**
 * What PostgreSQL can store in a {@code text}/{@code varchar} column of a UTF-8 database: no NUL (U+0000; the
 * server refuses it with "invalid byte sequence for encoding UTF8: 0x00") and only well-formed UTF-16 (an
 * unpaired surrogate has no UTF-8 form; the JDBC driver would silently store '?' instead). Client strings are
 * checked with this before they reach a statement, so such data is a 400 (or a rejected report element), never
 * a 500 or a silently altered value.
 */
public final class StorableText {
    /** What replaces unstorable characters in report data that is kept rather than refused. */
    public static final char REPLACEMENT = '\uFFFD';

    private StorableText() {
    }

    /** Why {@code s} cannot be stored as it is, or empty if it can. */
    public static Optional<String> problem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return Optional.of("holds a NUL character (U+0000), which cannot be stored");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return Optional.of("holds an unpaired surrogate (U+" + String.format("%04X", (int) c)
                            + "), which is not valid Unicode");
                }
            }
        }
        return Optional.empty();
    }

    /** {@code s} with every NUL and unpaired surrogate replaced by U+FFFD. */
    public static String sanitize(String s) {
        if (problem(s).isEmpty()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(c == 0 || Character.isSurrogate(c) ? REPLACEMENT : c);
            }
        }
        return b.toString();
    }
}
