package dev.keyward.web.console;

import dev.keyward.web.auth.AuthenticationException;
import dev.keyward.web.auth.Authenticators;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.http.ApiException;
import dev.keyward.web.service.ConsoleOidcSignIn;
import dev.keyward.web.service.ConsoleSessions;
import dev.keyward.web.service.ForbiddenException;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in with a pasted API token (checked by the same authenticators as the API's bearer tokens, and never put
 * in a URL or a log line) or at the OIDC issuer ({@link ConsoleOidcSignIn}), and signing out (the session's row is
 * deleted). Only admins and auditors get a session; anyone else gets the sign-in page saying why.
 */
final class SignInPages {
    private static final Logger LOG = LoggerFactory.getLogger(SignInPages.class);

    private final Authenticators auth;
    private final ConsoleSessions sessions;
    private final ServerMetrics metrics;
    private final Pages pages;
    private final SessionCookie cookie;
    private final Optional<ConsoleOidcSignIn> oidc;

    SignInPages(Authenticators auth, ConsoleSessions sessions, Optional<ConsoleOidcSignIn> oidc, ServerMetrics metrics,
            Pages pages, SessionCookie cookie) {
        this.auth = auth;
        this.oidc = oidc;
        this.sessions = sessions;
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
        String token = ctx.formParam("token");
        if (token == null || token.isBlank()) {
            show(ctx, 400, "Paste an API token (kwt_...) of an admin or an auditor.");
            return;
        }
        Caller caller;
        try {
            caller = auth.authenticate(token.strip());
        } catch (AuthenticationException e) {
            refused(ctx, e, "That token does not sign in: ");
            return;
        }
        if (open(ctx, caller)) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
        }
    }

    /** Opens the session and sets its cookie; false (the sign-in page shown, 403) for an identity with no console. */
    private boolean open(Context ctx, Caller caller) {
        ConsoleSessions.Opened opened;
        try {
            opened = sessions.open(caller);
        } catch (ForbiddenException e) {
            LOG.info("Console sign-in refused for {}: {}", caller.actor(), e.getMessage());
            show(ctx, 403, "No console for this identity: " + e.getMessage() + ".");
            return false;
        }
        LOG.info("Console sign-in: {} as {}", caller.actor(), opened.session().role().label());
        cookie.set(ctx, opened.id());
        return true;
    }

    /** Leaves for the issuer's sign-in page (a link, so no secret is in a form or a URL of ours). */
    void oidcStart(Context ctx, Visit none) {
        ConsoleOidcSignIn flow = oidc.orElseThrow(() -> new ApiException(404, "Not Found",
                "this server offers no OIDC sign-in (oidc.login is not set)"));
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
        ConsoleOidcSignIn flow = oidc.orElseThrow(() -> new ApiException(404, "Not Found",
                "this server offers no OIDC sign-in (oidc.login is not set)"));
        String binding = cookie.readSignIn(ctx);
        cookie.clearSignIn(ctx);
        Optional<String> error = dev.keyward.web.http.Paging.filter(ctx, "error");
        if (error.isPresent()) {
            show(ctx, 401, "The sign-in was denied or cancelled at the identity provider ("
                    + dev.keyward.web.http.Paging.abbreviate(error.get()) + ").");
            return;
        }
        Optional<String> state = dev.keyward.web.http.Paging.filter(ctx, "state");
        Optional<String> code = dev.keyward.web.http.Paging.filter(ctx, "code");
        if (binding == null || state.isEmpty() || code.isEmpty()) {
            show(ctx, 400, "This is not the answer to a sign-in started in this browser; sign in again.");
            return;
        }
        Caller caller;
        try {
            caller = flow.finish(binding, state.get(), code.get(), callback(ctx));
        } catch (AuthenticationException e) {
            refused(ctx, e, "The sign-in did not work: ");
            return;
        }
        if (open(ctx, caller)) {
            pages.render(ctx, 200, "signed-in", Map.of("frame", Frame.signedOut("Signed in")));
        }
    }

    /** A credential that does not authenticate: counted and logged like the API's, and said on the sign-in page. */
    private void refused(Context ctx, AuthenticationException e, String lead) {
        metrics.authFailure();
        LOG.info("Console sign-in refused from {}: {}", ctx.ip(), e.getMessage());
        show(ctx, 401, lead + e.getMessage() + ".");
    }

    private static String callback(Context ctx) {
        return ctx.scheme() + "://" + Optional.ofNullable(ctx.header("Host")).orElse("localhost")
                + "/login/oidc/callback";
    }

    void signOut(Context ctx, Visit visit) {
        sessions.close(cookie.read(ctx));
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
