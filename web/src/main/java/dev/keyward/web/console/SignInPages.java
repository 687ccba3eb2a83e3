package dev.keyward.web.console;

import dev.keyward.web.auth.AuthenticationException;
import dev.keyward.web.auth.Authenticators;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.service.ConsoleSessions;
import dev.keyward.web.service.ForbiddenException;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in with a pasted API token (checked by the same authenticators as the API's bearer tokens, and never put
 * in a URL or a log line), and signing out (the session's row is deleted).
 */
final class SignInPages {
    private static final Logger LOG = LoggerFactory.getLogger(SignInPages.class);

    private final Authenticators auth;
    private final ConsoleSessions sessions;
    private final ServerMetrics metrics;
    private final Pages pages;
    private final SessionCookie cookie;

    SignInPages(Authenticators auth, ConsoleSessions sessions, ServerMetrics metrics, Pages pages,
            SessionCookie cookie) {
        this.auth = auth;
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
            metrics.authFailure();
            LOG.info("Console sign-in refused from {}: {}", ctx.ip(), e.getMessage());
            show(ctx, 401, "That token does not sign in: " + e.getMessage() + ".");
            return;
        }
        ConsoleSessions.Opened opened;
        try {
            opened = sessions.open(caller);
        } catch (ForbiddenException e) {
            LOG.info("Console sign-in refused for {}: {}", caller.actor(), e.getMessage());
            show(ctx, 403, "No console for this identity: " + e.getMessage() + ".");
            return;
        }
        LOG.info("Console sign-in: {} as {}", caller.actor(), opened.session().role().label());
        cookie.set(ctx, opened.id());
        ctx.redirect("/", HttpStatus.SEE_OTHER);
    }

    void signOut(Context ctx, Visit visit) {
        sessions.close(cookie.read(ctx));
        cookie.clear(ctx);
        LOG.info("Console sign-out: {}", visit.caller().actor());
        ctx.redirect("/login", HttpStatus.SEE_OTHER);
    }

    private void show(Context ctx, int status, String message) {
        pages.render(ctx, status, "login", Map.of("frame", Frame.signedOut("Sign in"),
                "view", new LoginView(message, false, "")));
    }
}
