package dev.keyward.web.http;

import dev.keyward.web.db.StorableText;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Paging parameters: {@code limit} (1-1000, default 100) with either {@code offset} or {@code cursor} (the
 * {@code next_cursor} of the previous page; stable while new items arrive).
 */
public record Paging(int limit, int offset, Optional<Long> cursor) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    public static final int MAX_OFFSET = 1_000_000;

    public static Paging of(Context ctx) {
        TextCursor p = textCursor(ctx);
        return new Paging(p.limit(), p.offset(), p.cursor().map(s -> positiveLong("cursor", s)));
    }

    /** Paging whose cursor is text (a key fingerprint) rather than a number. */
    public record TextCursor(int limit, int offset, Optional<String> cursor) {
    }

    /** Paging with a text cursor that must match {@code syntax} ({@code what} names it in the error). */
    public static TextCursor textCursor(Context ctx, Pattern syntax, String what) {
        TextCursor p = textCursor(ctx);
        if (p.cursor().isPresent() && !syntax.matcher(p.cursor().get()).matches()) {
            throw ApiException.badRequest("cursor must be " + what + ", got '" + abbreviate(p.cursor().get()) + "'");
        }
        return p;
    }

    private static TextCursor textCursor(Context ctx) {
        int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = intParam(ctx, "offset", 0, 0, MAX_OFFSET);
        Optional<String> cursor = Optional.ofNullable(ctx.queryParam("cursor")).filter(s -> !s.isEmpty());
        if (cursor.isPresent() && offset > 0) {
            throw ApiException.badRequest("give either offset or cursor, not both");
        }
        return new TextCursor(limit, offset, cursor);
    }

    public static int intParam(Context ctx, String name, int def, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) {
            return def;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("query parameter " + name + " must be a whole number from " + min + " to "
                    + max);
        }
    }

    /** A positive 63-bit decimal number (serials, ids, cursors). */
    public static long positiveLong(String name, String v) {
        if (v == null || v.isEmpty() || v.length() > 19 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ApiException.badRequest(name + " must be a positive whole number, got '" + abbreviate(v) + "'");
        }
        try {
            long n = Long.parseLong(v);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a positive whole number, got '" + abbreviate(v) + "'");
        }
    }

    /**
     * A text filter ({@code principal}, {@code actor}, {@code account}, ...): at most 255 characters (the longest
     * value any filtered column holds), no control characters (none of those values has one) and storable text. A
     * U+FFFD is refused too: it is what the HTTP layer decodes a query that is not valid UTF-8 into.
     */
    public static Optional<String> filter(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) {
            return Optional.empty();
        }
        if (v.length() > 255) {
            throw ApiException.badRequest("query parameter " + name + " is longer than 255 characters");
        }
        StorableText.problem(v).ifPresent(p -> {
            throw ApiException.badRequest("query parameter " + name + " " + p);
        });
        if (v.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("query parameter " + name + " may not contain control characters");
        }
        if (v.indexOf(StorableText.REPLACEMENT) >= 0) {
            throw ApiException.badRequest("query parameter " + name + " is not valid UTF-8 (percent-encode the"
                    + " value's UTF-8 bytes)");
        }
        return Optional.of(v);
    }

    public static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 40 ? p.substring(0, 40) + "..." : p;
    }
}
