package dev.keyward.web.auth.oidc;

/**
 * The 401 details for refused tokens. They tell the caller what to fix without saying anything about keys, URLs
 * or library internals.
 */
final class Rejections {
    static final String TOO_LARGE = "token is too large";
    static final String MALFORMED = "token is not a well-formed JWT";
    static final String UNSIGNED = "unsigned tokens (alg none) are not accepted";
    static final String ALGORITHM = "token signing algorithm not accepted";
    static final String TYPE = "token type (typ) not accepted; expected JWT or at+jwt";
    static final String ISSUER = "token issuer not accepted";
    static final String AUDIENCE = "token audience not accepted";
    static final String NO_EXPIRY = "token has no expiry (exp)";
    static final String EXPIRED = "token expired";
    static final String NOT_YET_VALID = "token not valid yet (nbf)";
    static final String ISSUED_IN_FUTURE = "token issued in the future (iat)";
    static final String CLAIMS = "token claims not accepted";
    static final String UNKNOWN_KEY = "token signing key not known to the issuer";
    static final String SIGNATURE = "token signature invalid";
    static final String UNVERIFIABLE = "token signature could not be verified";
    static final String KEYS_UNAVAILABLE = "the identity provider's signing keys cannot be fetched; retry shortly";

    private Rejections() {
    }

    static String noUsername(String claim) {
        return "token has no usable " + claim + " claim (the username)";
    }

    static String badGroups(String claim) {
        return "token " + claim + " claim must be a list of strings";
    }
}
