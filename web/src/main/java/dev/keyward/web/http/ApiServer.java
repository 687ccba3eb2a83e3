package dev.keyward.web.http;

import dev.keyward.web.auth.AuthenticationException;
import dev.keyward.web.auth.Authenticators;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.config.HttpConfig;
import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.service.Services;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Javalin server: registers the route table with authentication and problem+json errors. */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final String RENDERED = "keyward.problem-rendered";

    private final Javalin app;
    private final List<Route> routes;

    public ApiServer(Services s, HttpConfig http, String version) {
        ServerMetrics metrics = s.metrics();
        Problems problems = new Problems(metrics);
        Routes.OpenApiHandler openApi = new Routes.OpenApiHandler();
        this.routes = Routes.build(
                new CertHandlers(s.issuance(), s.certificates(), s.revocations(), s.hosts().hosts(), s.clock()),
                new TokenHandlers(s.tokens(), s.clock()),
                new AuditHandlers(s.audit()),
                new PublicHandlers(s.krl(), s.trust(), s.readiness(), metrics, problems),
                new HostHandlers(s.hosts().hosts(), s.hosts().state(), s.hosts().reports(),
                        s.hosts().authorizedKeys(), s.hosts().inventory(), s.clock()),
                openApi);
        openApi.set(routes, version);
        Authenticators auth = s.authenticators();
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = HttpConfig.MAX_BODY_BYTES;
            cfg.jetty.host = http.bind();
            cfg.jetty.port = http.port();
            // conditional KRL polls that match the current version are answered before the servlet layer;
            // Javalin attaches its servlet context inside this wrapper
            cfg.jetty.modifyServer(server -> server.setHandler(new KrlNotModified(s.krl(), metrics)));
            // the API is stateless (bearer tokens): no HTTP sessions, no session-cookie parsing on every request
            cfg.jetty.modifyServletContextHandler(h -> h.setSessionHandler(new NoSessions()));
            // what Jetty refuses itself (headers over 8 KiB, malformed requests) is problem+json too
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new JettyProblems()));
            http.tls().ifPresent(tls -> TlsConnector.configure(cfg, http, tls));
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> {
                ctx.attribute(RENDERED, true);
                problems.handle(e, ctx);
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                ctx.attribute(RENDERED, true);
                problems.handle(e, ctx);
            });
            cfg.routes.error(404, ctx -> {
                if (ctx.attribute(RENDERED) == null) {
                    problems.render(ctx, 404, "Not Found", "no route " + ctx.method() + " " + ctx.path()
                            + "; see /openapi.json", null);
                }
            });
            cfg.routes.error(405, ctx -> {
                if (ctx.attribute(RENDERED) == null) {
                    problems.render(ctx, 405, "Method Not Allowed", "method " + ctx.method() + " is not allowed on "
                            + ctx.path(), null);
                }
            });
            for (Route r : routes) {
                Handler h = wrap(r, auth, metrics);
                switch (r.method()) {
                    case "GET" -> cfg.routes.get(r.path(), h);
                    case "POST" -> cfg.routes.post(r.path(), h);
                    case "DELETE" -> cfg.routes.delete(r.path(), h);
                    default -> throw new IllegalStateException(r.method());
                }
            }
        });
    }

    /** Authenticates (unless public), checks the role, then runs the handler. */
    private static Handler wrap(Route r, Authenticators auth, ServerMetrics metrics) {
        if (r.isPublic()) {
            return ctx -> r.handler().handle(ctx, null);
        }
        String allowed = r.roles().stream().map(Role::label).sorted().collect(Collectors.joining(" or "));
        return ctx -> {
            Caller caller;
            try {
                caller = auth.authenticateHeader(ctx.header("Authorization"));
            } catch (AuthenticationException e) {
                metrics.authFailure();
                LOG.info("Refused credential for {} {} from {}: {}", ctx.method(), ctx.path(), ctx.ip(), e.getMessage());
                throw e;
            }
            if (!caller.hasAnyRole(r.roles())) {
                throw new ApiException(403, "Forbidden", ctx.method() + " " + r.path() + " needs role " + allowed
                        + (caller.roles().isEmpty() ? "; the caller has no role" : "; the caller has role "
                        + caller.roles().stream().map(Role::label).sorted().collect(Collectors.joining(", "))));
            }
            r.handler().handle(ctx, caller);
        };
    }

    public ApiServer start() {
        app.start();
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    public List<Route> routes() {
        return routes;
    }

    @Override
    public void close() {
        app.stop();
    }

    static void markRendered(Context ctx) {
        ctx.attribute(RENDERED, true);
    }
}
