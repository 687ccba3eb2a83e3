package dev.keyward.web.auth;

/**
 * Turns a bearer credential into a caller. Several are tried in order; the first that {@link #accepts} the
 * credential's form decides (API tokens start with {@value ApiTokenSecrets#PREFIX}; an OIDC authenticator
 * would accept JWTs).
 */
public interface BearerAuthenticator {
    /** Whether this authenticator is responsible for credentials of this form. */
    boolean accepts(String credential);

    /** The caller, or {@link AuthenticationException} saying why the credential is refused. */
    Caller authenticate(String credential);
}
