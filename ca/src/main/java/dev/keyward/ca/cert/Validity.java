package dev.keyward.ca.cert;

import dev.keyward.ca.Durations;
import dev.keyward.ca.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/**
 * A certificate validity period, parsed from the forms {@code keyward-ca sign --validity} takes:
 * {@code +1h}, {@code +30m}, {@code +90s}, {@code +7d}, {@code +2w} (from now, back-dated a little for clock
 * skew), or {@code YYYYMMDDHHMMSS:YYYYMMDDHHMMSS} (UTC; absolute, not back-dated).
 *
 * @param after  valid-after, epoch seconds
 * @param before valid-before, epoch seconds
 */
public record Validity(long after, long before) {
    /** Default back-dating of valid-after, so a client whose clock is a little behind still accepts the cert. */
    public static final Duration DEFAULT_BACKDATE = Duration.ofMinutes(2);

    /**
     * STRICT, so a time that does not exist (February 30, November 31, hour 24) is refused instead of being moved
     * to another day as the default SMART resolver does; STRICT needs {@code uuuu} (proleptic year), not {@code yyyy}.
     */
    private static final DateTimeFormatter ABSOLUTE = DateTimeFormatter.ofPattern("uuuuMMddHHmmss")
            .withResolverStyle(ResolverStyle.STRICT);

    public Validity {
        if (after >= before) {
            throw new InvalidInputException("validity is empty: the start is not before the end");
        }
    }

    public static Validity parse(String spec, Instant now, Duration backdate) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidInputException("validity is empty; use +1h, +30m or YYYYMMDDHHMMSS:YYYYMMDDHHMMSS");
        }
        String s = spec.strip();
        if (s.startsWith("+")) {
            Duration d = parseDuration(s.substring(1));
            return new Validity(now.minus(backdate).getEpochSecond(), now.plus(d).getEpochSecond());
        }
        String[] parts = s.split(":", -1);
        if (parts.length == 2) {
            return new Validity(parseTime(parts[0]), parseTime(parts[1]));
        }
        throw new InvalidInputException("validity '" + spec + "' is not understood; use +1h, +30m, +7d or"
                + " YYYYMMDDHHMMSS:YYYYMMDDHHMMSS (UTC)");
    }

    /** Parses {@code 90s}, {@code 30m}, {@code 8h}, {@code 7d}, {@code 2w}, {@code 1h30m}; must be positive. */
    public static Duration parseDuration(String s) {
        Duration d = Durations.parse(s == null ? "" : s.strip()).orElseThrow(() -> new InvalidInputException("'" + s
                + "' is not a duration; use a number with s, m, h, d or w (e.g. 30m, 8h, 7d)"));
        if (d.isZero()) {
            throw new InvalidInputException("duration '" + s + "' must be positive");
        }
        return d;
    }

    private static long parseTime(String t) {
        try {
            return LocalDateTime.parse(t, ABSOLUTE).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("'" + t + "' is not a time that exists in the form YYYYMMDDHHMMSS (UTC),"
                    + " e.g. 20260131235959");
        }
    }
}
