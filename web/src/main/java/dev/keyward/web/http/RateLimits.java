package dev.keyward.web.http;

import dev.keyward.web.auth.Caller;
import dev.keyward.web.config.HttpLimits;
import dev.keyward.web.http.limits.ClientAddress;
import dev.keyward.web.http.limits.TokenBuckets;
import dev.keyward.web.metrics.ServerMetrics;
import io.javalin.http.Context;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The rate limits of {@code http.limits} on the routes they cover: certificate issuance ({@code POST /certs/user},
 * {@code /certs/host}, {@code /agent/host-certs}) per caller and per client address, host enrollment
 * ({@code POST /hosts/enroll}, which has no caller) per client address, and refused credentials per client address on
 * every authenticated route and on the console's sign-in ({@link SignInLimits}). A request over a limit gets 429
 * (problem+json, or the console's error page) with {@code Retry-After} before any work is done for it; limits are per
 * server node.
 */
final class RateLimits implements SignInLimits {
    static final Set<String> ISSUING = Set.of(Routes.API + "/certs/user", Routes.API + "/certs/host",
            Routes.API + "/agent/host-certs");
    static final String ENROLL = Routes.API + "/hosts/enroll";

    private final HttpLimits limits;
    private final ClientAddress clients;
    private final ServerMetrics metrics;
    private final TokenBuckets issuePerCaller;
    private final TokenBuckets issuePerSource;
    private final TokenBuckets enrollPerSource;
    private final TokenBuckets authFailuresPerSource;

    RateLimits(HttpLimits limits, ServerMetrics metrics, LongSupplier nanoClock) {
        this.limits = limits;
        this.clients = new ClientAddress(limits.trustedProxies());
        this.metrics = metrics;
        this.issuePerCaller = buckets(limits.issuePerCaller(), nanoClock);
        this.issuePerSource = buckets(limits.issuePerSource(), nanoClock);
        this.enrollPerSource = buckets(limits.enrollPerSource(), nanoClock);
        this.authFailuresPerSource = buckets(limits.authFailuresPerSource(), nanoClock);
    }

    private static TokenBuckets buckets(HttpLimits.Rate rate, LongSupplier nanoClock) {
        return rate.isOff() ? null : new TokenBuckets(rate, TokenBuckets.DEFAULT_MAX_KEYS, nanoClock);
    }

    /** Whether any limit applies to {@code r}: the other routes skip this class altogether. */
    boolean covers(Route r) {
        if (r.isPublic()) {
            return r.method().equals("POST") && r.path().equals(ENROLL) && enrollPerSource != null;
        }
        return authFailuresPerSource != null || (issuing(r) && (issuePerCaller != null || issuePerSource != null));
    }

    /** Before authentication: the client address's budgets. */
    void beforeAuthentication(Context ctx, Route r) {
        String source = source(ctx);
        if (r.isPublic()) {
            charge(enrollPerSource, source, r, "source", "enroll_per_source", limits.enrollPerSource(),
                    "host enrollments from " + source);
            return;
        }
        checkAuthFailures(r.path(), source);
        if (issuing(r)) {
            charge(issuePerSource, source, r, "source", "issue_per_source", limits.issuePerSource(),
                    "certificate requests from " + source);
        }
    }

    @Override
    public void check(Context ctx) {
        checkAuthFailures(ctx.path(), source(ctx));
    }

    /** A credential was refused (a bearer token of the API, or a console sign-in): counts against the client address. */
    @Override
    public void refused(Context ctx) {
        if (authFailuresPerSource != null) {
            authFailuresPerSource.take(source(ctx));
        }
    }

    private void checkAuthFailures(String path, String source) {
        if (authFailuresPerSource != null) {
            long wait = authFailuresPerSource.peek(source);
            if (wait > 0) {
                refuse(path, "auth_failures", wait, "too many refused credentials from " + source
                        + " (http.limits.auth_failures_per_source: " + limits.authFailuresPerSource() + ")");
            }
        }
    }

    /** After authentication: the caller's budget. */
    void afterAuthentication(Route r, Caller caller) {
        if (issuing(r)) {
            charge(issuePerCaller, caller.actor(), r, "caller", "issue_per_caller", limits.issuePerCaller(),
                    "certificate requests by " + caller.actor());
        }
    }

    private static boolean issuing(Route r) {
        return r.method().equals("POST") && ISSUING.contains(r.path());
    }

    @Override
    public String source(Context ctx) {
        List<String> forwarded = limits.trustedProxies().isEmpty() ? List.of()
                : Collections.list(ctx.req().getHeaders("X-Forwarded-For"));
        return clients.resolve(ctx.req().getRemoteAddr(), forwarded);
    }

    private void charge(TokenBuckets buckets, String key, Route r, String keyKind, String configKey,
            HttpLimits.Rate rate, String what) {
        if (buckets == null) {
            return;
        }
        long wait = buckets.take(key);
        if (wait > 0) {
            refuse(r.path(), keyKind, wait, "too many " + what + " (http.limits." + configKey + ": " + rate + ")");
        }
    }

    private void refuse(String path, String keyKind, long waitNanos, String why) {
        metrics.rateLimited(path, keyKind);
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        throw new TooManyRequests(seconds, why + "; retry after " + seconds + " s");
    }
}
