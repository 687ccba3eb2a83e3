package dev.keyward.web.engineer;

import dev.keyward.web.testing.Keycloak;

/** The server's {@code oidc:} section for the Keycloak realm of the tests. */
final class SsoConfig {
    private SsoConfig() {
    }

    /** Signing in as the realm's client {@value Keycloak#CLIENT_ID}. */
    static String yaml(Keycloak keycloak) {
        return yaml(keycloak.issuer(), Keycloak.CLIENT_ID, "[browser, device]");
    }

    /** Signing in at {@code issuer} as {@code clientId} with {@code flows}; the tokens' audience stays keyward. */
    static String yaml(String issuer, String clientId, String flows) {
        return "oidc:\n"
                + "  issuer: " + issuer + "\n"
                + "  audience: keyward\n"
                + "  role_groups:\n"
                + "    engineer: [engineering]\n"
                + "  login:\n"
                + "    client_id: " + clientId + "\n"
                + "    flows: " + flows + "\n";
    }
}
