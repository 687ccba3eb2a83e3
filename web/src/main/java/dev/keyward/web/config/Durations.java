package dev.keyward.web.config;

import dev.keyward.ca.InvalidInputException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Parses and prints durations the way people write them: {@code 30d}, {@code 8h}, {@code 1h30m}, {@code 90s},
 * or ISO-8601 ({@code PT8H}).
 */
public final class Durations {
    private Durations() {
    }

    /** Parses {@code text}; {@code what} names the field in the error message. */
    public static Duration parse(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(what + " is empty; write e.g. 8h, 30d, 1h30m or PT8H");
        }
        String s = text.strip();
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                return positive(Duration.parse(s.toUpperCase(java.util.Locale.ROOT)), text, what);
            } catch (DateTimeParseException e) {
                throw new InvalidInputException(what + " '" + abbreviate(s) + "' is not a duration; write e.g. 8h, 30d,"
                        + " 1h30m or PT8H");
            }
        }
        Duration total = dev.keyward.ca.Durations.parse(s).orElseThrow(() -> new InvalidInputException(what + " '"
                + abbreviate(s) + "' is not a duration; write e.g. 8h, 30d, 1h30m or PT8H"));
        return positive(total, text, what);
    }

    private static Duration positive(Duration d, String text, String what) {
        if (d.isNegative() || d.isZero()) {
            throw new InvalidInputException(what + " '" + abbreviate(text) + "' must be longer than zero");
        }
        return d;
    }

    /** A compact form: {@code 30d}, {@code 8h}, {@code 1h30m}, {@code 45s}. */
    public static String format(Duration d) {
        return dev.keyward.ca.Durations.format(d);
    }

    private static String abbreviate(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 40 ? p.substring(0, 40) + "..." : p;
    }
}
