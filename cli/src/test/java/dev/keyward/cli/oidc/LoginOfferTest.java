package dev.keyward.cli.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.cli.server.ServerException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The server's {@code GET /api/v1/login/config} as the CLI reads it. */
class LoginOfferTest {
    private static Optional<LoginOffer> parse(String json) {
        return LoginOffer.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(String oidc) {
        return assertThrows(ServerException.class, () -> parse("{\"oidc\":" + oidc + "}")).getMessage();
    }

    @Test
    void readsTheOfferAndIgnoresFlowsItDoesNotKnow() {
        LoginOffer o = parse("{\"oidc\":{\"issuer\":\"https://idp.example.com/realms/staff\",\"client_id\":\"keyward\","
                + "\"client_secret\":\"installed\",\"scopes\":[\"openid\",\"groups\"],\"flows\":[\"device\",\"ciba\"],"
                + "\"bearer_token\":\"id_token\"}}").orElseThrow();
        assertEquals("https://idp.example.com/realms/staff", o.issuer());
        assertEquals(Optional.of("installed"), o.clientSecret());
        assertEquals(List.of("openid", "groups"), o.scopes());
        assertEquals(Set.of(LoginOffer.Flow.DEVICE), o.flows());
        assertTrue(o.sendIdToken());
        assertFalse(o.toString().contains("installed"));
    }

    @Test
    void anEmptyDocumentMeansNoSignIn() {
        assertEquals(Optional.empty(), parse("{}"));
    }

    @Test
    void aBadOfferIsRefusedNamingTheField() {
        String prefix = "the server's sign-in configuration (GET /api/v1/login/config) is not valid: ";
        String m = refusal("{\"issuer\":\"http://idp.example.com\",\"client_id\":\"k\",\"scopes\":[\"openid\"],"
                + "\"flows\":[\"device\"]}");
        assertTrue(m.startsWith(prefix + "oidc.issuer 'http://idp.example.com' is plain http to a remote host"), m);
        m = refusal("{\"issuer\":\"https://idp.example.com\",\"scopes\":[\"openid\"],\"flows\":[\"device\"]}");
        assertTrue(m.startsWith(prefix + "oidc.client_id is missing"), m);
        m = refusal("{\"issuer\":\"https://idp.example.com\",\"client_id\":\"k\",\"scopes\":[\"profile\"],"
                + "\"flows\":[\"device\"]}");
        assertTrue(m.startsWith(prefix + "oidc.scopes must list openid"), m);
        m = refusal("{\"issuer\":\"https://idp.example.com\",\"client_id\":\"k\",\"scopes\":[\"openid\"],"
                + "\"flows\":[\"implicit\"]}");
        assertTrue(m.startsWith(prefix + "oidc.flows names no flow this keyward knows"), m);
        m = refusal("{\"issuer\":\"https://idp.example.com\",\"client_id\":\"k\",\"scopes\":[\"openid\"],"
                + "\"flows\":[\"device\"],\"bearer_token\":\"refresh_token\"}");
        assertTrue(m.startsWith(prefix + "oidc.bearer_token is 'refresh_token'"), m);
        assertTrue(m.endsWith("; tell your Keyward admins (oidc.login in keyward.yaml)"), m);
    }
}
