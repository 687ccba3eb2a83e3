package dev.keyward.web.console;

import io.javalin.http.Context;

/**
 * The headers on every console response. The CSP allows scripts, styles and images from this server only and no
 * inline script or style (so markup injected into a page could run nothing), no plugins, no {@code <base>}, forms
 * posting only here, and no framing (clickjacking); the rest keep MIME sniffing, referrers and caches away from
 * the pages.
 */
final class SecurityHeaders {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private SecurityHeaders() {
    }

    static void apply(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Cache-Control", "no-store");
    }
}
