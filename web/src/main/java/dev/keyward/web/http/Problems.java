package dev.keyward.web.http;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.policy.PolicyViolationException;
import dev.keyward.ca.sign.SignerException;
import dev.keyward.ca.sign.SignerUnavailableException;
import dev.keyward.web.auth.AuthenticationException;
import dev.keyward.web.auth.AuthenticationUnavailableException;
import dev.keyward.web.db.DbErrors;
import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.service.NotFoundException;
import dev.keyward.web.service.ServiceUnavailableException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders every failure as RFC 9457 problem+json. Two families: user errors (they carry their status and a
 * detail a person can act on) and everything else (logged with context, rendered as 500 or 503 without
 * internals). Nothing here matches on exception text.
 */
public final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    public static final String CONTENT_TYPE = "application/problem+json";
    static final String TYPE_BASE = "https://keyward.dev/problems/";

    private final ServerMetrics metrics;

    public Problems(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    public void handle(Exception e, Context ctx) {
        Problem p = describe(e, ctx);
        render(ctx, p.status(), p.title(), p.detail(), p.rule());
    }

    /** A failure as the client sees it: status, title, a detail a person can act on, and the policy rule if any. */
    public record Problem(int status, String title, String detail, String rule) {
    }

    /**
     * What {@code e} means for the client, with the response headers that go with it (Retry-After,
     * WWW-Authenticate) set and internal failures logged; the caller renders it (problem+json, or the console's
     * HTML page).
     */
    public Problem describe(Exception e, Context ctx) {
        if (e instanceof TooManyRequests t) {
            ctx.header("Retry-After", Long.toString(t.retryAfterSeconds()));
            return new Problem(429, t.title(), t.getMessage(), null);
        } else if (e instanceof ApiException a) {
            return new Problem(a.status(), a.title(), a.getMessage(), null);
        } else if (e instanceof AuthenticationException a) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"keyward\", error=\"invalid_token\"");
            return new Problem(401, "Unauthorized", a.getMessage(), null);
        } else if (e instanceof AuthenticationUnavailableException u) {
            ctx.header("Retry-After", "5");
            return new Problem(503, "Service Unavailable", u.getMessage(), null);
        } else if (e instanceof PolicyViolationException p) {
            return new Problem(403, "Forbidden by policy", p.getMessage(), p.rule());
        } else if (e instanceof InvalidInputException i) {
            return new Problem(400, "Bad Request", i.getMessage(), null);
        } else if (e instanceof NotFoundException n) {
            return new Problem(404, "Not Found", n.getMessage(), null);
        } else if (e instanceof dev.keyward.web.service.ConflictException c) {
            return new Problem(409, "Conflict", c.getMessage(), null);
        } else if (e instanceof dev.keyward.web.service.ForbiddenException f) {
            return new Problem(403, "Forbidden", f.getMessage(), null);
        } else if (e instanceof HttpResponseException h) {
            return new Problem(h.getStatus(), reason(h.getStatus()), h.getMessage(), null);
        } else if (e instanceof ServiceUnavailableException u) {
            ctx.header("Retry-After", "1");
            return new Problem(503, "Service Unavailable", u.getMessage(), null);
        } else if (DbErrors.isUnavailable(e)) {
            LOG.warn("{} {}: database unavailable: {}", ctx.method(), ctx.path(), e.getMessage());
            ctx.header("Retry-After", "5");
            return new Problem(503, "Service Unavailable", "the database is unavailable or overloaded; retry shortly",
                    null);
        } else if (e instanceof SignerUnavailableException u) {
            // the signer logged the loss once and is reconnecting: one line per request, no stack trace
            LOG.warn("{} {}: {}", ctx.method(), ctx.path(), u.getMessage());
            ctx.header("Retry-After", "5");
            return new Problem(503, "Service Unavailable", "the CA signer is unavailable (reconnecting to its token);"
                    + " retry shortly", null);
        } else if (e instanceof SignerException) {
            LOG.error("{} {}: signer failed", ctx.method(), ctx.path(), e);
            ctx.header("Retry-After", "5");
            return new Problem(503, "Service Unavailable", "the CA signer is unavailable; retry shortly", null);
        } else {
            LOG.error("{} {}: internal error", ctx.method(), ctx.path(), e);
            return new Problem(500, "Internal Server Error", "internal error; the server log has details", null);
        }
    }

    public void render(Context ctx, int status, String title, String detail, String rule) {
        render(ctx, status, title, detail, rule, Map.of());
    }

    /** As above, with RFC 9457 extension members ({@code extra}) after the standard ones. */
    public void render(Context ctx, int status, String title, String detail, String rule, Map<String, Object> extra) {
        metrics.httpError(status);
        Map<String, Object> p = body(status, title, detail, rule, ctx.path());
        p.putAll(extra);
        if (ctx.path().startsWith("/api/v1/agent/") || ctx.path().equals("/api/v1/hosts/enroll")) {
            p.put("error", detail); // the agent protocol's message member (keyward-agent prints it)
        }
        if (status != 408) { // a 408's body did not arrive in time: nothing to wait for
            Json.discardUnreadBody(ctx);
        }
        Json.write(ctx, status, p);
        ctx.contentType(CONTENT_TYPE);
    }

    /** The RFC 9457 members: type, title, status, detail, then rule and instance when given. */
    static Map<String, Object> body(int status, String title, String detail, String rule, String instance) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", TYPE_BASE + slug(status, rule));
        p.put("title", title);
        p.put("status", status);
        p.put("detail", detail);
        if (rule != null) {
            p.put("rule", rule);
        }
        if (instance != null) {
            p.put("instance", instance);
        }
        return p;
    }

    private static String slug(int status, String rule) {
        if (rule != null) {
            return "policy";
        }
        return switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 408 -> "request-timeout";
            case 409 -> "conflict";
            case 413 -> "content-too-large";
            case 414 -> "uri-too-long";
            case 415 -> "unsupported-media-type";
            case 429 -> "too-many-requests";
            case 431 -> "request-header-fields-too-large";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal" : "client-error";
        };
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Client Error";
        };
    }
}
