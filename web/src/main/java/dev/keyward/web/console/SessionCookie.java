package dev.keyward.web.console;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;

/**
 * The session cookie: the session ID only (the server keeps the rest), HttpOnly (no script reads it),
 * SameSite=Strict (no other site's request carries it), a browser-session cookie (the server ends the session
 * anyway). Over TLS it is Secure with the {@code __Host-} prefix (RFC 6265bis section 4.1.3.2: host-only, path /,
 * never set over plain HTTP).
 */
final class SessionCookie {
    private final boolean tls;
    private final String name;
    private final String signIn;

    SessionCookie(boolean tls) {
        this.tls = tls;
        this.name = tls ? "__Host-keyward_console" : "keyward_console";
        this.signIn = tls ? "__Host-keyward_console_signin" : "keyward_console_signin";
    }

    String read(Context ctx) {
        return ctx.cookie(name);
    }

    void set(Context ctx, String sessionId) {
        ctx.cookie(new Cookie(name, sessionId, "/", -1, tls, true, null, SameSite.STRICT));
    }

    void clear(Context ctx) {
        ctx.cookie(new Cookie(name, "", "/", 0, tls, true, null, SameSite.STRICT));
    }

    /**
     * The OIDC sign-in's binding cookie: SameSite=Lax, because it must come back with the issuer's redirect (a
     * top-level GET from the issuer's site); it only names a pending sign-in, used once and gone after
     * {@code seconds}.
     */
    void setSignIn(Context ctx, String binding, int seconds) {
        ctx.cookie(new Cookie(signIn, binding, "/", seconds, tls, true, null, SameSite.LAX));
    }

    String readSignIn(Context ctx) {
        return ctx.cookie(signIn);
    }

    void clearSignIn(Context ctx) {
        ctx.cookie(new Cookie(signIn, "", "/", 0, tls, true, null, SameSite.LAX));
    }
}
