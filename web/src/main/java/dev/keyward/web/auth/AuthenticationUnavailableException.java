package dev.keyward.web.auth;

/**
 * A credential cannot be checked right now because something it depends on is unreachable (e.g. the OIDC
 * issuer's signing keys). Rendered as 503 with Retry-After, not 401: the caller did nothing wrong. The message
 * is safe to show; the cause is logged where it happened.
 */
public class AuthenticationUnavailableException extends RuntimeException {
    public AuthenticationUnavailableException(String message) {
        super(message);
    }
}
