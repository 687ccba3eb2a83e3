package dev.keyward.web.http;

import io.javalin.http.Context;

/**
 * The console's sign-in under {@code http.limits.auth_failures_per_source}: a refused sign-in (a bad, expired or
 * revoked token, an identity with no console, an OIDC answer refused) counts against the client address exactly
 * like a refused API credential, in the same budget, so guessing tokens through the sign-in form is no cheaper than
 * through the API.
 */
public interface SignInLimits {
    /** 429 with {@code Retry-After} while the client address has spent its budget of refused credentials. */
    void check(Context ctx);

    /** A sign-in was refused: counts against the client address. */
    void refused(Context ctx);

    /** The client address as the limits count it (behind a trusted proxy, the forwarded client). */
    String source(Context ctx);
}
