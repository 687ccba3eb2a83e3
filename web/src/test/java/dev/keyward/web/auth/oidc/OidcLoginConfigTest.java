package dev.keyward.web.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.config.ConfigException;
import dev.keyward.web.config.ConfigLoader;
import dev.keyward.web.config.OidcConfig;
import dev.keyward.web.config.OidcLoginConfig;
import dev.keyward.web.config.OidcLoginConfig.BearerToken;
import dev.keyward.web.config.OidcLoginConfig.Flow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oidc.login}: its defaults, what {@code GET /api/v1/login/config} makes of it ({@link SignInOffer}), and
 * start-up errors that name the key.
 */
class OidcLoginConfigTest {
    private static final String OIDC = "oidc:\n  issuer: https://idp.example.com/realms/staff\n  audience: keyward\n";

    @TempDir
    Path dir;

    private Optional<OidcConfig> load(String yaml) throws IOException {
        Path f = dir.resolve("keyward.yaml");
        Files.writeString(f, "home: " + dir + "\n" + yaml);
        return new ConfigLoader(Map.of()).load(Optional.of(f)).oidc();
    }

    private String error(String loginYaml) {
        return assertThrows(ConfigException.class, () -> load(OIDC + loginYaml)).getMessage();
    }

    @Test
    void withoutLoginTheServerOffersNoSignIn() throws IOException {
        OidcConfig c = load(OIDC).orElseThrow();
        assertEquals(Optional.empty(), c.login());
        assertEquals(Map.of(), SignInOffer.of(Optional.of(c)).document());
        assertEquals(Map.of(), SignInOffer.of(Optional.empty()).document());
    }

    @Test
    void emptyLoginTakesEveryDefault() throws IOException {
        for (String yaml : List.of("  login:\n", "  login: {}\n")) {
            OidcLoginConfig l = load(OIDC + yaml).orElseThrow().login().orElseThrow();
            assertEquals("keyward", l.clientId(), "the audience by default");
            assertEquals(Optional.empty(), l.clientSecret());
            assertEquals(List.of("openid", "profile"), l.scopes());
            assertEquals(Set.of(Flow.BROWSER, Flow.DEVICE), l.flows());
            assertEquals(BearerToken.ACCESS_TOKEN, l.bearerToken());
        }
    }

    @Test
    void everyKeyAndTheDocument() throws IOException {
        OidcConfig c = load("oidc:\n  issuer: https://accounts.google.com\n  audience: 1234.apps.example\n"
                + "  login:\n    client_id: 1234.apps.example\n    client_secret: published-to-every-install\n"
                + "    scopes: [openid, email, openid]\n    flows: [device]\n    bearer_token: id_token\n")
                .orElseThrow();
        OidcLoginConfig l = c.login().orElseThrow();
        assertEquals(List.of("openid", "email"), l.scopes(), "duplicates dropped, order kept");
        assertEquals(Set.of(Flow.DEVICE), l.flows());
        assertEquals(BearerToken.ID_TOKEN, l.bearerToken());
        assertEquals(Map.of("oidc", Map.of("issuer", "https://accounts.google.com", "client_id", "1234.apps.example",
                "client_secret", "published-to-every-install", "scopes", List.of("openid", "email"), "flows",
                List.of("device"), "bearer_token", "id_token")), SignInOffer.of(Optional.of(c)).document());
    }

    @Test
    void flowsAreListedInAFixedOrder() throws IOException {
        OidcConfig c = load(OIDC + "  login:\n    flows: [device, browser]\n").orElseThrow();
        assertEquals(List.of("browser", "device"),
                ((Map<?, ?>) SignInOffer.of(Optional.of(c)).document().get("oidc")).get("flows"));
    }

    @Test
    void badValuesNameTheirKey() {
        assertTrue(error("  login:\n    scopes: [profile]\n").startsWith("oidc.login.scopes must contain openid"));
        assertTrue(error("  login:\n    scopes: [openid, \"a\\\"b\"]\n").startsWith("oidc.login.scopes: 'a\"b' is not"
                + " a scope"));
        assertTrue(error("  login:\n    flows: []\n").startsWith("oidc.login.flows is empty"));
        assertTrue(error("  login:\n    flows: [browser, implicit]\n")
                .startsWith("oidc.login.flows: unknown value 'implicit'; use browser, device"));
        assertTrue(error("  login:\n    bearer_token: refresh_token\n")
                .startsWith("oidc.login.bearer_token: unknown value 'refresh_token'"));
        assertTrue(error("  login:\n    client_id: \"my client\"\n").startsWith("oidc.login.client_id must be"));
        assertTrue(error("  login:\n    client_secret: \"a b\"\n")
                .startsWith("oidc.login.client_secret must be visible ASCII"));
        String m = error("  login:\n    client_id: other\n    bearer_token: id_token\n");
        assertTrue(m.startsWith("oidc.login.bearer_token is id_token, so oidc.audience must be the client ID"), m);
        m = error("  login:\n    clientid: x\n");
        assertTrue(m.contains("oidc.login.clientid"), m);
        m = error("  login: yes\n");
        assertTrue(m.startsWith("oidc.login must be a mapping"), m);
    }
}
