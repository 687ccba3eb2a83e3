package dev.keyward.cli.oidc;

import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import dev.keyward.cli.server.Printable;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A successful token answer (RFC 6749 section 5.1; OpenID Connect Core 1.0 section 3.1.3.3). {@link #toString()}
 * hides the tokens.
 */
record Tokens(String accessToken, Optional<String> idToken, Optional<String> refreshToken) {

    @Override
    public String toString() {
        return "Tokens[hidden]";
    }

    /**
     * Reads the token endpoint's answer: 200 with an access token of type Bearer, else the OAuth error it carries,
     * turned into a {@link SignInException} by {@code refused}.
     */
    static Tokens from(IdpHttp.Answer a, String what, java.util.function.Function<OAuthError, SignInException> refused) {
        if (!a.ok()) {
            throw refused.apply(OAuthError.in(a, what));
        }
        Map<String, Object> m;
        try {
            m = Json.parseObject(a.body());
        } catch (JsonException e) {
            throw new SignInException("the identity provider's answer to " + what + " is not JSON");
        }
        if (!(m.get("access_token") instanceof String access) || access.isBlank()) {
            throw new SignInException("the identity provider's answer to " + what + " has no access_token");
        }
        // token_type is REQUIRED and case-insensitive (RFC 6749 section 7.1); only Bearer (RFC 6750) is usable here
        if (m.get("token_type") instanceof String type && !type.toLowerCase(Locale.ROOT).equals("bearer")) {
            throw new SignInException("the identity provider issued a token of type '" + Printable.clean(type, 40)
                    + "', not Bearer");
        }
        return new Tokens(access, text(m, "id_token"), text(m, "refresh_token"));
    }

    private static Optional<String> text(Map<String, Object> m, String name) {
        return m.get(name) instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
    }
}
