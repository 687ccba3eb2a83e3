package dev.keyward.web.console;

import dev.keyward.web.auth.AuthenticationException;
import dev.keyward.web.auth.Authenticators;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.http.ApiException;
import dev.keyward.web.http.Paging;
import dev.keyward.web.http.SignInLimits;
import dev.keyward.web.service.ConsoleOidcSignIn;
import dev.keyward.web.service.ConsoleServices;
import dev.keyward.web.service.ConsoleSessions;
import dev.keyward.web.service.ConsoleSessions.Method;
import dev.keyward.web.service.ForbiddenException;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in with a pasted API token (checked by the same authenticators as the API's bearer tokens, and never put
 * in a URL or a log line) or at the OIDC issuer ({@link ConsoleOidcSignIn}), and signing out (the session's row is
 * deleted). Only admins and auditors get a session; anyone else gets the sign-in page saying why. Every refused
 * sign-in is charged to {@code http.limits.auth_failures_per_source} like a refused API credential (once spent, the
 * sign-in answers 429 to that address) and audited; so is every sign-in and sign-out.
 */
final class SignInPages {
    private static final Logger LOG = LoggerFactory.getLogger(SignInPages.class);
    private static final String CALLBACK = "/login/oidc/callback";
    /**
     * A Host header (RFC 9110 section 7.2: uri-host [":" port]) this server may build its OIDC redirect URI from: a
     * DNS name or IPv4 address, or an IPv6 literal in brackets, and an optional port.
     */
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?");

    private final Authenticators auth;
    private final ConsoleSessions sessions;
    private final SignInLimits limits;
    private final ServerMetrics metrics;
    private final Pages pages;
    private final SessionCookie cookie;
    private final Optional<ConsoleOidcSignIn> oidc;
    private final Optional<String> publicUrl;

    SignInPages(Authenticators auth, ConsoleServices console, SignInLimits limits, ServerMetrics metrics, Pages pages,
            SessionCookie cookie) {
        this.auth = auth;
        this.sessions = console.sessions();
        this.oidc = console.oidc();
        this.publicUrl = console.config().publicUrl();
        this.limits = limits;
        this.metrics = metrics;
        this.pages = pages;
        this.cookie = cookie;
    }

    void form(Context ctx, Visit none) {
        if (sessions.find(cookie.read(ctx)).isPresent()) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        show(ctx, 200, null);
    }

    void signIn(Context ctx, Visit none) {
        limits.check(ctx);
        String token = ctx.formParam("token");
        if (token == null || token.isBlank()) {
            refuse(ctx, Method.TOKEN, Optional.empty(), 400, "no token was given",
                    "Paste an API token (kwt_...) of an admin or an auditor.");
            return;
        }
        Caller caller;
        try {
            caller = auth.authenticate(token.strip());
        } catch (AuthenticationException e) {
            refuse(ctx, Method.TOKEN, Optional.empty(), 401, e.getMessage(),
                    "That token does not sign in: " + e.getMessage() + ".");
            return;
        }
        if (open(ctx, caller, Method.TOKEN)) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
        }
    }

    /** Opens the session and sets its cookie; false (the sign-in page shown, 403) for an identity with no console. */
    private boolean open(Context ctx, Caller caller, Method method) {
        ConsoleSessions.Opened opened;
        try {
            opened = sessions.open(caller, method, limits.source(ctx));
        } catch (ForbiddenException e) {
            refuse(ctx, method, Optional.of(caller), 403, e.getMessage(),
                    "No console for this identity: " + e.getMessage() + ".");
            return false;
        }
        LOG.info("Console sign-in ({}): {} as {}", method.label(), caller.actor(), opened.session().role().label());
        cookie.set(ctx, opened.id());
        return true;
    }

    /** Leaves for the issuer's sign-in page (a link, so no secret is in a form or a URL of ours). */
    void oidcStart(Context ctx, Visit none) {
        ConsoleOidcSignIn flow = oidc.orElseThrow(SignInPages::noOidc);
        limits.check(ctx);
        ConsoleOidcSignIn.Started started = flow.start(callback(ctx));
        cookie.setSignIn(ctx, started.binding(), (int) ConsoleOidcSignIn.PENDING.toSeconds());
        ctx.redirect(started.authorization().toString(), HttpStatus.SEE_OTHER);
    }

    /**
     * The issuer sends the browser back here with the code. The answer is a page that moves on to the overview by
     * itself: the browser arrived from the issuer's site, and a SameSite=Strict cookie set now is sent only with a
     * navigation that starts on this site.
     */
    void oidcCallback(Context ctx, Visit none) {
        ConsoleOidcSignIn flow = oidc.orElseThrow(SignInPages::noOidc);
        limits.check(ctx);
        String binding = cookie.readSignIn(ctx);
        cookie.clearSignIn(ctx);
        Optional<String> error = Paging.filter(ctx, "error");
        if (error.isPresent()) {
            String why = "denied or cancelled at the identity provider (" + Paging.abbreviate(error.get()) + ")";
            refuse(ctx, Method.OIDC, Optional.empty(), 401, why, "The sign-in was " + why + ".");
            return;
        }
        Optional<String> state = Paging.filter(ctx, "state");
        Optional<String> code = Paging.filter(ctx, "code");
        if (binding == null || state.isEmpty() || code.isEmpty()) {
            refuse(ctx, Method.OIDC, Optional.empty(), 400, "not the answer to a sign-in started in this browser",
                    "This is not the answer to a sign-in started in this browser; sign in again.");
            return;
        }
        Caller caller;
        try {
            caller = flow.finish(binding, state.get(), code.get(), callback(ctx));
        } catch (AuthenticationException e) {
            refuse(ctx, Method.OIDC, Optional.empty(), 401, e.getMessage(),
                    "The sign-in did not work: " + e.getMessage() + ".");
            return;
        }
        if (open(ctx, caller, Method.OIDC)) {
            pages.render(ctx, 200, "signed-in", Map.of("frame", Frame.signedOut("Signed in")));
        }
    }

    /**
     * A sign-in that opens no session: charged to the client address's refused-credential budget (which also bounds
     * how many of these rows one address can add to the audit log), counted, audited and logged (the reason, never
     * the credential), and said on the sign-in page.
     */
    private void refuse(Context ctx, Method method, Optional<Caller> caller, int status, String reason,
            String message) {
        limits.refused(ctx);
        metrics.authFailure();
        String source = limits.source(ctx);
        sessions.refused(caller, method, reason, source);
        LOG.info("Console sign-in ({}) refused from {}{}: {}", method.label(), source,
                caller.map(c -> " for " + c.actor()).orElse(""), reason);
        show(ctx, status, message);
    }

    /**
     * The redirect URI registered at the issuer: under {@code console.public_url} when set; else built from this
     * request's scheme and Host, which must then be a well-formed host[:port] (400 otherwise: a Host header is the
     * client's to write, and the URI goes to the issuer and back into the token request).
     */
    private String callback(Context ctx) {
        if (publicUrl.isPresent()) {
            return publicUrl.get() + CALLBACK;
        }
        String host = ctx.header("Host");
        if (host == null || !HOST.matcher(host).matches()) {
            throw new ApiException(400, "Bad Request", "the request's Host header "
                    + (host == null ? "is missing" : "'" + Paging.abbreviate(host) + "' is not a valid host[:port]")
                    + ", so no OIDC redirect URI can be built from it; set console.public_url to the console's"
                    + " address");
        }
        return ctx.scheme() + "://" + host + CALLBACK;
    }

    private static ApiException noOidc() {
        return new ApiException(404, "Not Found", "this server offers no OIDC sign-in (oidc.login is not set)");
    }

    void signOut(Context ctx, Visit visit) {
        sessions.close(cookie.read(ctx), visit.caller(), limits.source(ctx));
        cookie.clear(ctx);
        LOG.info("Console sign-out: {}", visit.caller().actor());
        ctx.redirect("/login", HttpStatus.SEE_OTHER);
    }

    private void show(Context ctx, int status, String message) {
        pages.render(ctx, status, "login", Map.of("frame", Frame.signedOut("Sign in"),
                "view", new LoginView(message, oidc.isPresent(),
                        oidc.map(ConsoleOidcSignIn::issuerName).orElse(""))));
    }
}
