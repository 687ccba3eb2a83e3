package dev.keyward.web.config;

import dev.keyward.ca.InvalidInputException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints durations the way people write them: {@code 30d}, {@code 8h}, {@code 1h30m}, {@code 90s},
 * or ISO-8601 ({@code PT8H}).
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})([dhms])");

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
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
            end = m.end();
        }
        if (end != s.length() || end == 0) {
            throw new InvalidInputException(what + " '" + abbreviate(s) + "' is not a duration; write e.g. 8h, 30d,"
                    + " 1h30m or PT8H");
        }
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
        long s = d.getSeconds();
        StringBuilder b = new StringBuilder();
        long days = s / 86400;
        s %= 86400;
        long hours = s / 3600;
        s %= 3600;
        long minutes = s / 60;
        s %= 60;
        if (days > 0) {
            b.append(days).append('d');
        }
        if (hours > 0) {
            b.append(hours).append('h');
        }
        if (minutes > 0) {
            b.append(minutes).append('m');
        }
        if (s > 0 || b.isEmpty()) {
            b.append(s).append('s');
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 40 ? p.substring(0, 40) + "..." : p;
    }
}
