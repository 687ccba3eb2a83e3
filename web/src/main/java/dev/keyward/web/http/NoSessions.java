package dev.keyward.web.http;

import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Stands in for the session handler Javalin installs: the API is stateless (bearer tokens, no cookies), so no
 * request looks for a session cookie or a session id, and none can be fixated or stolen. Jetty's servlet context
 * needs a session handler in its chain ({@code setSessionHandler(null)} fails), so this one passes every request
 * straight on.
 */
final class NoSessions extends SessionHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return getHandler().handle(request, response, callback);
    }
}
