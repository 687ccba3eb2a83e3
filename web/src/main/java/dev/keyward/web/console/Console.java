package dev.keyward.web.console;

import dev.keyward.web.auth.Role;
import dev.keyward.web.http.ApiException;
import dev.keyward.web.http.ApiServer;
import dev.keyward.web.http.Problems;
import dev.keyward.web.http.SignInLimits;
import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.service.ConsoleSessions;
import dev.keyward.web.service.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Registers the console's routes on the API's Javalin server and puts every console request through the same
 * steps: security headers; for a POST, the same-origin check; the session (a GET without one goes to the sign-in
 * page); for a POST, the session's CSRF token; the role check of the API route the page mirrors
 * ({@link ApiServer#checkRole}); then the page. Failures become an HTML page with the status and the detail the API
 * would give ({@link Problems#describe}).
 */
public final class Console {
    private final ConsoleSessions sessions;
    private final Problems problems;
    private final ServerMetrics metrics;
    private final Pages pages;
    private final SessionCookie cookie;
    private final SameOrigin sameOrigin;
    private final List<ConsoleRoute> routes;

    /**
     * {@code apiRoles}: the roles of each API route, by {@code "METHOD path"}; {@code limits}: the refused-credential
     * budget the API's bearer authentication spends too.
     */
    public Console(Services s, boolean tls, Problems problems, Map<String, Set<Role>> apiRoles,
            SignInLimits limits) {
        Optional<String> publicUrl = s.console().config().publicUrl();
        this.sessions = s.console().sessions();
        this.problems = problems;
        this.metrics = s.metrics();
        this.pages = new Pages();
        // behind a TLS-terminating proxy the browser speaks HTTPS although this server does not
        this.cookie = new SessionCookie(tls || publicUrl.filter(u -> u.startsWith("https:")).isPresent());
        this.sameOrigin = new SameOrigin(publicUrl);
        this.routes = ConsoleRoutes.build(apiRoles, s, pages, cookie, limits);
    }

    /** The routes as {@code "METHOD path"} (for the route table's tests). */
    public List<String> routes() {
        return routes.stream().map(r -> r.method() + " " + r.path()).toList();
    }

    public void register(JavalinConfig cfg) {
        for (ConsoleRoute r : routes) {
            Handler h = wrap(r);
            switch (r.method()) {
                case "GET" -> cfg.routes.get(r.path(), h);
                case "POST" -> cfg.routes.post(r.path(), h);
                default -> throw new IllegalStateException(r.method());
            }
        }
    }

    private Handler wrap(ConsoleRoute r) {
        boolean post = r.method().equals("POST");
        return ctx -> {
            SecurityHeaders.apply(ctx);
            Visit visit = null;
            try {
                if (post) {
                    sameOrigin.check(ctx);
                }
                if (r.isPublic()) {
                    r.handler().handle(ctx, null);
                    return;
                }
                Optional<ConsoleSessions.Active> session = sessions.find(cookie.read(ctx));
                if (session.isEmpty()) {
                    if (!post) {
                        ctx.redirect("/login", HttpStatus.SEE_OTHER);
                        return;
                    }
                    throw new ApiException(401, "Unauthorized", "sign in first: there is no console session, or it"
                            + " ended");
                }
                visit = new Visit(session.get());
                if (post) {
                    Csrf.check(ctx, visit.session().csrfToken());
                }
                ApiServer.checkRole(r.method() + " " + r.path(), r.roles(), visit.caller());
                r.handler().handle(ctx, visit);
            } catch (Exception e) {
                Problems.Problem p = problems.describe(e, ctx);
                metrics.httpError(p.status());
                Frame frame = visit == null ? Frame.signedOut(p.title()) : visit.frame(p.title(), "");
                pages.render(ctx, p.status(), "error", Map.of("frame", frame, "problem", p));
                ApiServer.markRendered(ctx);
            }
        };
    }
}
