package dev.keyward.web.http;

import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.oidc.SignInOffer;
import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.service.KrlService;
import dev.keyward.web.service.Readiness;
import dev.keyward.web.service.TrustService;
import io.javalin.http.Context;
import java.util.Map;

/** Routes without authentication: the KRL, the CA keys, the sign-in configuration, health, metrics. */
final class PublicHandlers {
    private final KrlService krl;
    private final TrustService trust;
    private final Readiness readiness;
    private final ServerMetrics metrics;
    private final Problems problems;
    private final SignInOffer signIn;

    PublicHandlers(KrlService krl, TrustService trust, Readiness readiness, ServerMetrics metrics, Problems problems,
            SignInOffer signIn) {
        this.krl = krl;
        this.trust = trust;
        this.readiness = readiness;
        this.metrics = metrics;
        this.problems = problems;
        this.signIn = signIn;
    }

    /** The KRL; ETag is its version, and If-None-Match with that version gets 304. */
    void krl(Context ctx, Caller caller) {
        KrlService.Krl k = krl.current();
        ctx.header("ETag", k.etag());
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Keyward-Krl-Version", Long.toUnsignedString(k.version()));
        if (matches(ctx.header("If-None-Match"), k.etag())) {
            metrics.krlRequest(true);
            ctx.status(304);
            return;
        }
        metrics.krlRequest(false);
        ctx.status(200).contentType("application/octet-stream").result(k.bytes());
    }

    /** RFC 9110 13.1.2: a list of entity tags or "*", weak comparison. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
            return false;
        }
        if (ifNoneMatch.equals(etag)) {
            return true; // the usual case: the one tag a poller got last time
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*")) {
                return true;
            }
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    void userCa(Context ctx, Caller caller) {
        ctx.status(200).contentType("text/plain; charset=utf-8").result(trust.trustedUserCaKeys());
    }

    void hostCa(Context ctx, Caller caller) {
        ctx.status(200).contentType("text/plain; charset=utf-8").result(trust.knownHostsLines());
    }

    /** How to sign in at the identity provider ({@code {}} when the server offers no sign-in). */
    void loginConfig(Context ctx, Caller caller) {
        ctx.header("Cache-Control", "no-cache");
        Json.write(ctx, 200, signIn.document());
    }

    void healthz(Context ctx, Caller caller) {
        Json.write(ctx, 200, Map.of("status", "up"));
    }

    /**
     * 200 {@code {"status":"ready","checks":{...}}} when every check is {@code up}; else 503 problem+json with
     * the same {@code checks} and, per component that is down, its {@code reasons} entry.
     */
    void readyz(Context ctx, Caller caller) {
        Readiness.Report report = readiness.check();
        if (report.ready()) {
            Json.write(ctx, 200, Map.of("status", "ready", "checks", report.checks()));
            return;
        }
        String down = String.join(", ", report.reasons().entrySet().stream()
                .map(e -> e.getKey() + " down (" + e.getValue() + ")").toList());
        ctx.header("Retry-After", "5");
        problems.render(ctx, 503, "Service Unavailable", "not ready: " + down, null,
                Map.of("checks", report.checks(), "reasons", report.reasons()));
    }

    void metrics(Context ctx, Caller caller) {
        ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }
}
