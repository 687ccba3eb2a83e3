package dev.keyward.web.auth.oidc;

import com.nimbusds.jwt.proc.BadJWTException;

/**
 * A token refused for a reason this package determined itself; the message is the 401 detail shown to the
 * caller. It extends nimbus' {@link BadJWTException} so that it can be thrown from inside the JWT processor (the
 * type and claims verifiers) and still be told apart from nimbus' own failures by its class, never by its text.
 */
final class JwtRejectedException extends BadJWTException {
    JwtRejectedException(String detail) {
        super(detail);
    }

    JwtRejectedException(String detail, Throwable cause) {
        super(detail, cause);
    }
}
