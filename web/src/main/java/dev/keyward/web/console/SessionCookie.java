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

    SessionCookie(boolean tls) {
        this.tls = tls;
        this.name = tls ? "__Host-keyward_console" : "keyward_console";
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
}
