package dev.keyward.web.http;

import dev.keyward.web.auth.AuthenticationException;
import dev.keyward.web.auth.Authenticators;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.config.HttpConfig;
import dev.keyward.web.console.Console;
import dev.keyward.web.config.HttpLimits;
import dev.keyward.web.http.limits.ConnectionsPerSource;
import dev.keyward.web.http.limits.RequestDeadlines;
import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.service.Services;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.MinimumDataRateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Javalin server: registers the route table with authentication and problem+json errors. */
public final class ApiServer implements AutoCloseable {
    /** How long a keep-alive connection with no request in it may stay open once the server is stopping. */
    private static final long SHUTDOWN_IDLE_MILLIS = 50;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final String RENDERED = "keyward.problem-rendered";

    private final Javalin app;
    private final List<Route> routes;
    private final Console console;

    public ApiServer(Services s, HttpConfig http, String version) {
        ServerMetrics metrics = s.metrics();
        Problems problems = new Problems(metrics);
        Routes.OpenApiHandler openApi = new Routes.OpenApiHandler();
        this.routes = Routes.build(
                new CertHandlers(s.issuance(), s.certificates(), s.revocations(), s.hosts().hosts(), s.clock(),
                        http.serverTiming()),
                new TokenHandlers(s.tokens(), s.clock()),
                new AuditHandlers(s.audit()),
                new PublicHandlers(s.krl(), s.trust(), s.readiness(), metrics, problems, s.signIn()),
                new HostHandlers(s.hosts().hosts(), s.hosts().state(), s.hosts().reports(),
                        s.hosts().authorizedKeys(), s.hosts().inventory(), s.clock()),
                new CaKeyHandlers(s.caLifecycle(), s.caStatus(), s.compliance()),
                openApi);
        openApi.set(routes, version);
        // the console's pages and actions take their roles from the API routes they mirror
        java.util.Map<String, java.util.Set<Role>> apiRoles = new java.util.HashMap<>();
        routes.forEach(r -> apiRoles.put(r.method() + " " + r.path(), r.roles()));
        HttpLimits limits = http.limits();
        RateLimits rateLimits = new RateLimits(limits, metrics, System::nanoTime);
        this.console = new Console(s, http.tls().isPresent(), problems, apiRoles, rateLimits);
        Authenticators auth = s.authenticators();
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = HttpConfig.MAX_BODY_BYTES;
            cfg.jetty.host = http.bind();
            cfg.jetty.port = http.port();
            // conditional KRL polls that match the current version are answered before the servlet layer.
            // Javalin attaches its servlet context inside the innermost wrapper. A body that arrives slower than
            // http.limits.min_data_rate fails its read (Jetty's handler; the API answers 408); KRL 304s never read one
            cfg.jetty.modifyServer(server -> {
                KrlNotModified krlNotModified = new KrlNotModified(s.krl(), metrics);
                if (limits.minDataRate() > 0) {
                    krlNotModified.setHandler(new MinimumDataRateHandler(limits.minDataRate(), 0));
                }
                // outermost: every response (KRL 304s too) carries X-Request-Id, and the lines logged meanwhile.
                // Then the graceful stop: at shutdown the connectors refuse new connections and a request already
                // in the server (a certificate being signed and committed) is answered, for up to
                // http.shutdown_timeout, instead of losing its connection; one that still arrives gets 503. Idle
                // keep-alive connections are closed at once (Jetty's default waits a second for each to go idle,
                // which every stop paid)
                GracefulHandler graceful = new GracefulHandler(krlNotModified);
                graceful.setShutdownIdleTimeout(SHUTDOWN_IDLE_MILLIS);
                server.setHandler(new RequestIds(graceful));
                server.setStopTimeout(http.shutdownTimeout().toMillis());
            });
            // the API is stateless (bearer tokens): no HTTP sessions, no session-cookie parsing on every request
            cfg.jetty.modifyServletContextHandler(h -> h.setSessionHandler(new NoSessions()));
            // what Jetty refuses itself (headers over 8 KiB, malformed requests) is problem+json too
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new JettyProblems()));
            // HTTP/1.1 with header and body deadlines, on a connector that caps connections per client address
            Function<HttpConfiguration, HttpConnectionFactory> http1 = c -> new RequestDeadlines(c,
                    limits.headerTimeout(), limits.bodyTimeout(), metrics::requestTimeout);
            Consumer<ServerConnector> capped = connector -> {
                if (limits.connectionsPerSource() > 0) {
                    connector.addBean(new ConnectionsPerSource(limits.connectionsPerSource(), metrics::connectionRefused));
                }
            };
            if (http.tls().isPresent()) {
                TlsConnector.configure(cfg, http, http.tls().get(), http1, capped);
            } else {
                cfg.jetty.addConnector((server, httpConfiguration) -> {
                    ServerConnector connector = new ServerConnector(server, http1.apply(httpConfiguration));
                    connector.setHost(http.bind());
                    connector.setPort(http.port());
                    capped.accept(connector);
                    return connector;
                });
            }
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
            console.register(cfg);
            for (Route r : routes) {
                Handler h = wrap(r, auth, metrics, rateLimits);
                switch (r.method()) {
                    case "GET" -> cfg.routes.get(r.path(), h);
                    case "POST" -> cfg.routes.post(r.path(), h);
                    case "DELETE" -> cfg.routes.delete(r.path(), h);
                    default -> throw new IllegalStateException(r.method());
                }
            }
        });
    }

    /** Applies the route's rate limits, authenticates (unless public), checks the role, then runs the handler. */
    private static Handler wrap(Route r, Authenticators auth, ServerMetrics metrics, RateLimits limits) {
        boolean limited = limits.covers(r);
        if (r.isPublic()) {
            if (!limited) {
                return ctx -> r.handler().handle(ctx, null);
            }
            return ctx -> {
                limits.beforeAuthentication(ctx, r);
                r.handler().handle(ctx, null);
            };
        }
        return ctx -> {
            if (limited) {
                limits.beforeAuthentication(ctx, r);
            }
            Caller caller;
            try {
                caller = auth.authenticateHeader(ctx.header("Authorization"));
            } catch (AuthenticationException e) {
                metrics.authFailure();
                if (limited) {
                    limits.refused(ctx);
                }
                LOG.info("Refused credential for {} {} from {}: {}", ctx.method(), ctx.path(), ctx.ip(), e.getMessage());
                throw e;
            }
            checkRole(ctx.method() + " " + r.path(), r.roles(), caller);
            if (limited) {
                limits.afterAuthentication(r, caller);
            }
            r.handler().handle(ctx, caller);
        };
    }

    /**
     * The one authorization check of the server (API routes and the console's pages alike): 403 naming the roles
     * {@code what} needs unless the caller holds one of them.
     */
    public static void checkRole(String what, java.util.Set<Role> roles, Caller caller) {
        if (!caller.hasAnyRole(roles)) {
            throw new ApiException(403, "Forbidden", what + " needs role "
                    + roles.stream().map(Role::label).sorted().collect(Collectors.joining(" or "))
                    + (caller.roles().isEmpty() ? "; the caller has no role" : "; the caller has role "
                    + caller.roles().stream().map(Role::label).sorted().collect(Collectors.joining(", "))));
        }
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

    /** The console's routes, {@code "METHOD path"} each. */
    public List<String> consoleRoutes() {
        return console.routes();
    }

    @Override
    public void close() {
        app.stop();
    }

    /** The response is complete: the 404/405 fallbacks leave it alone (the console's own error pages). */
    public static void markRendered(Context ctx) {
        ctx.attribute(RENDERED, true);
    }
}
