package dev.keyward.web.auth;

import java.util.List;

/** Tries each {@link BearerAuthenticator} in order; the first that accepts the credential's form decides. */
public final class Authenticators {
    private final List<BearerAuthenticator> authenticators;

    public Authenticators(List<BearerAuthenticator> authenticators) {
        this.authenticators = List.copyOf(authenticators);
    }

    /** Authenticates the value of an {@code Authorization} header; throws AuthenticationException if refused. */
    public Caller authenticateHeader(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new AuthenticationException("this route needs a bearer token (Authorization: Bearer <token>)");
        }
        String h = authorization.strip();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new AuthenticationException("the Authorization header must be 'Bearer <token>'");
        }
        return authenticate(h.substring(7).strip());
    }

    /**
     * Authenticates a bearer credential by itself (an API token or OIDC token the console's sign-in page was
     * given): the same authenticators, in the same order, as for an {@code Authorization} header.
     */
    public Caller authenticate(String credential) {
        for (BearerAuthenticator a : authenticators) {
            if (a.accepts(credential)) {
                return a.authenticate(credential);
            }
        }
        throw new AuthenticationException("the bearer credential is not a Keyward API token or an accepted token");
    }
}
