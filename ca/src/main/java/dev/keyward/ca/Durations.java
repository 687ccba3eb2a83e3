package dev.keyward.ca;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them everywhere in Keyward (policy TTLs, server settings, request TTLs,
 * {@code keyward-ca sign --validity +8h}): one or more {@code <number><unit>} parts with units s, m, h, d, w,
 * largest first, e.g. {@code 90s}, {@code 30m}, {@code 8h}, {@code 1d}, {@code 1h30m}. Printed the same way.
 * Callers word their own errors (they know which setting or flag was wrong).
 */
public final class Durations {
    private static final Pattern WHOLE = Pattern.compile("(?:[0-9]{1,6}[wdhms])+");
    private static final Pattern PART = Pattern.compile("([0-9]{1,6})([wdhms])");
    private static final String UNITS = "wdhms";

    private Durations() {
    }

    /** The duration {@code text} denotes, or empty if it is not in the syntax above. */
    public static Optional<Duration> parse(String text) {
        if (!WHOLE.matcher(text).matches()) {
            return Optional.empty();
        }
        Duration total = Duration.ZERO;
        int lastUnit = -1;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            int unit = UNITS.indexOf(m.group(2).charAt(0));
            if (unit <= lastUnit) {
                return Optional.empty(); // "1m1h" or "1h1h": ambiguous to a reader, so refused
            }
            lastUnit = unit;
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2).charAt(0)) {
                case 'w' -> Duration.ofDays(7 * n);
                case 'd' -> Duration.ofDays(n);
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
        }
        return Optional.of(total);
    }

    /** {@code 8h}, {@code 1d12h}, {@code 90s} → {@code 1m30s}; fractions of a second are dropped. */
    public static String format(Duration d) {
        long s = d.getSeconds();
        if (s <= 0) {
            return d.isNegative() ? "-" + format(d.negated()) : "0s";
        }
        StringBuilder b = new StringBuilder();
        long days = s / 86_400;
        s %= 86_400;
        if (days > 0) {
            b.append(days).append('d');
        }
        if (s / 3600 > 0) {
            b.append(s / 3600).append('h');
        }
        s %= 3600;
        if (s / 60 > 0) {
            b.append(s / 60).append('m');
        }
        if (s % 60 > 0) {
            b.append(s % 60).append('s');
        }
        return b.toString();
    }
}
