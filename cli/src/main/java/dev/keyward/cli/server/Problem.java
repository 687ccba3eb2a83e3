package dev.keyward.cli.server;

import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code application/problem+json} answer (RFC 9457) turned into one line an engineer can act on. The
 * server's {@code detail} and policy {@code rule} are quoted after {@link Printable#clean} (a server must not be
 * able to send escape sequences to the terminal).
 */
final class Problem {
    private Problem() {
    }

    static ServerException toException(int status, String body, String what) {
        return toException(status, body, what, false);
    }

    /** {@code signInToken}: the refused token came from an SSO sign-in, not from a token file. */
    static ServerException toException(int status, String body, String what, boolean signInToken) {
        Optional<String> detail = member(body, "detail");
        Optional<String> rule = member(body, "rule");
        String d = detail.map(x -> ": " + x).orElse("");
        String msg = switch (status) {
            case 401 -> signInToken
                    ? "the server did not accept the token of your sign-in" + d + " (the server's oidc settings"
                            + " and the identity provider's tokens disagree: tell your Keyward admins)"
                    : "the server did not accept the token" + d + " (check --token-file or " + "KEYWARD_TOKEN;"
                            + " an expired or revoked token needs a new one from an admin)";
            case 403 -> rule.isPresent()
                    ? "refused by the server's issuance policy, rule " + rule.get() + d
                    : "not allowed" + d;
            case 400 -> "the server refused the request as malformed" + d;
            case 503 -> "the server is temporarily unavailable" + d + "; retry shortly";
            default -> what + " failed: HTTP " + status + d;
        };
        return new ServerException(msg);
    }

    private static Optional<String> member(String body, String name) {
        try {
            Map<String, Object> m = Json.parseObject(body.getBytes(StandardCharsets.UTF_8));
            return m.get(name) instanceof String s && !s.isBlank() ? Optional.of(Printable.clean(s, 300))
                    : Optional.empty();
        } catch (JsonException notJson) {
            return Optional.empty();
        }
    }
}
