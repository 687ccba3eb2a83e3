package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Times clients send, in RFC 3339 form ({@code 2030-01-31T12:00:00Z}, {@code 2030-01-31T13:00:00+01:00}), within
 * RFC 3339's four-digit years 0001 to 9999. Java reads more ({@code +10000-01-01T00:00:00Z}, year 0, negative
 * years); PostgreSQL's {@code timestamptz} does not store all of it, and no such time is meant.
 */
final class Rfc3339 {
    static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private Rfc3339() {
    }

    /** Parses {@code s}; {@code field} names it in the error. */
    static Instant parse(String s, String field) {
        Instant t;
        try {
            t = OffsetDateTime.parse(s.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field + " must be an RFC 3339 time such as 2030-01-31T12:00:00Z");
        }
        if (t.isBefore(MIN) || t.isAfter(MAX)) {
            throw new InvalidInputException(field + " must be a time in the years 0001 to 9999");
        }
        return t;
    }
}
