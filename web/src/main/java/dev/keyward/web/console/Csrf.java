package dev.keyward.web.console;

import dev.keyward.web.http.ApiException;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The synchronizer token (OWASP CSRF Prevention Cheat Sheet): every console form carries the session's random
 * token in the field {@value #FIELD}, and every POST must send it back; another site can make a browser send the
 * cookie but cannot read the token. Compared in constant time.
 */
final class Csrf {
    static final String FIELD = "csrf";

    private Csrf() {
    }

    static void check(Context ctx, String expected) {
        String sent = ctx.formParam(FIELD);
        if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(403, "Forbidden", "the form's CSRF token is missing or wrong; reload the page and"
                    + " try again");
        }
    }
}
