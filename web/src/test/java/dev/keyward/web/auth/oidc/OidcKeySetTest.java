package dev.keyward.web.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issuer's key set over time: rotation (an unknown kid triggers a refetch), the refetch rate limit, the
 * issuer being down or broken (503, and recovery), a discovery document naming another issuer, and a configured
 * jwks_uri that skips discovery. Each test has its own issuer and server, so caches and rate limits start fresh.
 */
class OidcKeySetTest {
    /** The configured jwks_refresh_min_interval is 1 s; waiting this long opens the next refresh window. */
    private static final long REFRESH_WINDOW_MS = 1_100;

    @TempDir
    Path dir;
    FakeIssuer idp;
    TestServer server;
    Api api;
    final AtomicInteger n = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    private void startServer(String extraOidcYaml) {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create(), idp.yaml(extraOidcYaml));
        api = server.api();
    }

    private Api.Resp issue(String jwt) throws Exception {
        return api.post("/api/v1/certs/user", jwt,
                Map.of("public_key", Files.readString(TestKeys.publicKeyFile(dir, "k" + n.incrementAndGet(), "ed25519"))));
    }

    private String token(RSAKey key, String user) {
        return FakeIssuer.mint(key, idp.claims(user, "kw-engineers").build());
    }

    private static void assertStatus(int status, String detail, Api.Resp r) {
        assertEquals(status, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertEquals(detail, r.json().get("detail").asText(), r.toString());
    }

    @Test
    void rotatedKeyIsAcceptedAfterTheKeySetIsRefetched() throws Exception {
        idp = FakeIssuer.start();
        RSAKey old = FakeIssuer.rsaKey("2026-01");
        RSAKey next = FakeIssuer.rsaKey("2026-02");
        idp.publish(old);
        startServer("");
        assertEquals(201, issue(token(old, "rita")).status());
        assertEquals(1, idp.jwksRequests.get());

        assertStatus(401, "token signing key not known to the issuer", issue(token(next, "rita")));
        assertEquals(2, idp.jwksRequests.get(), "an unknown kid makes the server look at the key set again");

        idp.publish(old, next);
        Thread.sleep(REFRESH_WINDOW_MS);
        Api.Resp rotated = issue(token(next, "rita"));
        assertEquals(201, rotated.status(), rotated.toString());
        assertEquals(3, idp.jwksRequests.get());
        assertEquals(201, issue(token(old, "rita")).status(), "the old key stays valid while it is published");
        assertEquals(3, idp.jwksRequests.get(), "known keys come from the cache");
    }

    @Test
    void unknownKeyIdsCannotMakeTheServerHammerTheIssuer() throws Exception {
        idp = FakeIssuer.start();
        RSAKey key = FakeIssuer.rsaKey("k1");
        idp.publish(key);
        server = TestServer.start(dir.resolve("home"), TestDatabases.create(), idp.yaml("30s", ""));
        api = server.api();
        List<String> forged = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            forged.add(token(FakeIssuer.rsaKey("random-" + i), "una"));
        }
        assertEquals(201, issue(token(key, "una")).status());
        for (String jwt : forged) {
            assertStatus(401, "token signing key not known to the issuer", api.get("/api/v1/audit", jwt));
        }
        assertTrue(idp.jwksRequests.get() <= 2, "at most two fetches per refresh interval, got "
                + idp.jwksRequests.get());
    }

    @Test
    void issuerDownGives503AndApiTokensStillWork() throws Exception {
        idp = FakeIssuer.start();
        RSAKey key = FakeIssuer.rsaKey("k1");
        idp.publish(key);
        String jwt = token(key, "dan");
        idp.close(); // nothing listens on the issuer's port any more
        startServer("");
        for (int i = 0; i < 4; i++) { // past the rate limit, it is still "unavailable", not "unknown key"
            Api.Resp r = issue(jwt);
            assertStatus(503, "the identity provider's signing keys cannot be fetched; retry shortly", r);
            assertEquals("5", r.header("Retry-After"));
        }
        assertEquals(201, issue(server.token("engineer", "dan")).status(), "API tokens do not depend on the issuer");
        idp = null;
    }

    @Test
    void brokenKeyEndpointGives503UntilItRecovers() throws Exception {
        idp = FakeIssuer.start();
        RSAKey key = FakeIssuer.rsaKey("k1");
        idp.publish(key);
        idp.jwksStatus(500);
        startServer("");
        assertStatus(503, "the identity provider's signing keys cannot be fetched; retry shortly",
                issue(token(key, "rob")));
        idp.jwksStatus(200);
        Thread.sleep(REFRESH_WINDOW_MS);
        Api.Resp r = issue(token(key, "rob"));
        assertEquals(201, r.status(), r.toString());
    }

    @Test
    void discoveryNamingAnotherIssuerIsNotTrusted() throws Exception {
        idp = FakeIssuer.start();
        RSAKey key = FakeIssuer.rsaKey("k1");
        idp.publish(key);
        idp.discoveryIssuer("https://evil.example");
        startServer("");
        assertStatus(503, "the identity provider's signing keys cannot be fetched; retry shortly",
                issue(token(key, "ivy")));
        assertEquals(0, idp.jwksRequests.get(), "keys named by a mismatching discovery document are never fetched");
    }

    @Test
    void configuredJwksUriSkipsDiscovery() throws Exception {
        idp = FakeIssuer.start();
        RSAKey key = FakeIssuer.rsaKey("k1");
        idp.publish(key);
        startServer("  jwks_uri: \"" + idp.jwksUri() + "\"\n");
        assertEquals(201, issue(token(key, "jo")).status());
        assertEquals(0, idp.discoveryRequests.get());
        assertEquals(1, idp.jwksRequests.get());
    }
}
