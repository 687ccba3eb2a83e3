package dev.keyward.web.console;

import dev.keyward.web.http.ApiException;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses a state-changing request that a browser says comes from another site: {@code Sec-Fetch-Site} (Fetch
 * Metadata) other than {@code same-origin} or {@code none} (typed or bookmarked), or an {@code Origin} other than
 * this server's ({@code null} only with {@code Sec-Fetch-Site: same-origin}). This server's origin is
 * {@code console.public_url} when set (behind a TLS-terminating proxy the request's scheme and Host are the proxy's
 * to this server, not the browser's), else the request's own scheme and Host. The session cookie is SameSite=Strict
 * and every form carries the session's CSRF token besides ({@link Csrf}); this is the third lock, and the one that
 * also covers the sign-in form (login CSRF).
 */
final class SameOrigin {
    private final Optional<String> publicUrl;

    SameOrigin(Optional<String> publicUrl) {
        this.publicUrl = publicUrl;
    }

    void check(Context ctx) {
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw refused("the request came from another site (Sec-Fetch-Site: " + abbreviate(site) + ")");
        }
        String origin = ctx.header("Origin");
        // Referrer-Policy: no-referrer makes browsers send "Origin: null" with the console's own form posts; then
        // Fetch Metadata, checked above, is what tells (without it, a null origin may be a sandboxed frame anywhere)
        if ("null".equals(origin) && "same-origin".equals(site)) {
            return;
        }
        if (origin != null) {
            String host = ctx.header("Host");
            String expected = publicUrl.orElseGet(() -> ctx.scheme() + "://"
                    + (host == null ? "" : host.toLowerCase(Locale.ROOT)));
            if (!origin.toLowerCase(Locale.ROOT).equals(expected)) {
                throw refused("the request came from another origin (Origin: " + abbreviate(origin) + ")");
            }
        }
    }

    private static ApiException refused(String why) {
        return new ApiException(403, "Forbidden", why + "; console forms are accepted from the console's own pages"
                + " only");
    }

    private static String abbreviate(String s) {
        return dev.keyward.web.http.Paging.abbreviate(s);
    }
}
