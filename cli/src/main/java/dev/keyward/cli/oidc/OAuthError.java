package dev.keyward.cli.oidc;

import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import dev.keyward.cli.server.Printable;
import java.util.Map;
import java.util.Optional;

/**
 * An OAuth error answer (RFC 6749 section 5.2; RFC 8628 section 3.5 adds {@code authorization_pending},
 * {@code slow_down}, {@code access_denied} and {@code expired_token}): the code, and the provider's description
 * made safe to print.
 */
record OAuthError(String code, Optional<String> description) {

    /** The error in a parsed answer, if it is one. */
    static Optional<OAuthError> of(Map<String, Object> answer) {
        if (!(answer.get("error") instanceof String code) || code.isBlank()) {
            return Optional.empty();
        }
        Optional<String> d = answer.get("error_description") instanceof String s && !s.isBlank()
                ? Optional.of(Printable.clean(s, 300)) : Optional.empty();
        return Optional.of(new OAuthError(Printable.clean(code, 80), d));
    }

    /** The error of an answer that is not a success; an answer without one is refused as it is. */
    static OAuthError in(IdpHttp.Answer a, String what) {
        try {
            return of(Json.parseObject(a.body())).orElseThrow(() -> new SignInException("the identity provider"
                    + " answered HTTP " + a.status() + " to " + what + " without an OAuth error"));
        } catch (JsonException e) {
            throw new SignInException("the identity provider answered HTTP " + a.status() + " to " + what
                    + ", and not with JSON");
        }
    }

    /** {@code invalid_grant: Token is not active} */
    @Override
    public String toString() {
        return code + description.map(d -> ": " + d).orElse("");
    }
}
