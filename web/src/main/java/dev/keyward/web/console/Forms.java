package dev.keyward.web.console;

import dev.keyward.web.http.ApiException;
import io.javalin.http.Context;
import java.util.Optional;

/** Reading the console's form fields: required ones named in the error, and the confirmation box. */
final class Forms {
    static final String CONFIRM = "confirm";

    private Forms() {
    }

    static String required(Context ctx, String field) {
        return optional(ctx, field).orElseThrow(() -> ApiException.badRequest("field '" + field + "' is required"));
    }

    static Optional<String> optional(Context ctx, String field) {
        String v = ctx.formParam(field);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    /** An irreversible action needs its confirmation box ticked ({@code confirm=yes}). */
    static void confirmed(Context ctx, String why) {
        if (!"yes".equals(ctx.formParam(CONFIRM))) {
            throw ApiException.badRequest("field '" + CONFIRM + "' must be ticked: " + why);
        }
    }
}
