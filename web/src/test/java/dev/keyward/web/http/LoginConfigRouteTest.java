package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/login/config} on the real server: without a token, what {@code oidc.login} says; {@code {}}
 * without it (API tokens only). Discovery is lazy, so the issuer need not be up for this.
 */
class LoginConfigRouteTest {
    @TempDir
    Path tmp;

    @Test
    void publishesTheSignInWithoutAToken() {
        try (TestServer server = TestServer.start(tmp.resolve("a"), TestDatabases.create(), "oidc:\n"
                + "  issuer: http://127.0.0.1:9/realms/staff\n  audience: keyward-api\n"
                + "  login:\n    client_id: keyward-cli\n    flows: [device]\n")) {
            var r = server.api().get("/api/v1/login/config", null);
            assertEquals(200, r.status(), r.toString());
            assertEquals("application/json", r.contentType().split(";")[0]);
            assertEquals("no-cache", r.header("Cache-Control"));
            assertEquals("{\"oidc\":{\"issuer\":\"http://127.0.0.1:9/realms/staff\",\"client_id\":\"keyward-cli\","
                    + "\"scopes\":[\"openid\",\"profile\"],\"flows\":[\"device\"],\"bearer_token\":\"access_token\"}}",
                    r.json().toString());
        }
    }

    @Test
    void emptyWithoutOidcLogin() {
        try (TestServer server = TestServer.start(tmp.resolve("b"), TestDatabases.create(),
                "oidc:\n  issuer: http://127.0.0.1:9\n  audience: keyward\n")) {
            var r = server.api().get("/api/v1/login/config", null);
            assertEquals(200, r.status(), r.toString());
            assertEquals("{}", r.json().toString());
        }
        try (TestServer server = TestServer.start(tmp.resolve("c"), TestDatabases.create())) {
            assertEquals("{}", server.api().get("/api/v1/login/config", null).json().toString());
        }
    }
}
