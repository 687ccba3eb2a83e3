package dev.keyward.web.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.auth.Role;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.config.ConfigLoader;
import dev.keyward.web.config.OidcConfig;
import dev.keyward.web.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code oidc:} section: defaults, and start-up errors that name the key and the fix. */
class OidcConfigTest {
    @TempDir
    Path dir;

    private ServerConfig load(String oidcYaml) throws IOException {
        Path f = dir.resolve("keyward.yaml");
        Files.writeString(f, "home: " + dir + "\n" + oidcYaml);
        return new ConfigLoader(Map.of()).load(Optional.of(f));
    }

    private String error(String oidcYaml) {
        return assertThrows(ConfigException.class, () -> load(oidcYaml)).getMessage();
    }

    @Test
    void absentSectionMeansApiTokensOnly() throws IOException {
        assertEquals(Optional.empty(), load("").oidc());
    }

    @Test
    void defaults() throws IOException {
        OidcConfig c = load("oidc:\n  issuer: https://login.example.com/realms/staff/\n  audience: keyward\n")
                .oidc().orElseThrow();
        assertEquals("https://login.example.com/realms/staff/", c.issuer(), "compared exactly, never normalised");
        assertEquals("https://login.example.com/realms/staff/.well-known/openid-configuration",
                c.discoveryUri().toString());
        assertEquals(Optional.empty(), c.jwksUri());
        assertEquals("preferred_username", c.usernameClaim());
        assertEquals("groups", c.groupsClaim());
        assertEquals(Set.of("RS256", "ES256"), c.allowedAlgorithms());
        assertEquals(Duration.ofSeconds(60), c.clockSkew());
        assertEquals(Duration.ofMinutes(5), c.jwksCacheTtl());
        assertEquals(Duration.ofSeconds(30), c.jwksRefreshMinInterval());
        assertEquals(Map.of(), c.roleGroups());
    }

    @Test
    void everyKey() throws IOException {
        OidcConfig c = load("oidc:\n  issuer: https://idp.example.com\n  audience: api://keyward\n"
                + "  jwks_uri: https://keys.example.net/jwks.json\n  username_claim: email\n  groups_claim: roles\n"
                + "  role_groups:\n    admin: [ops]\n    engineer: [dev, ops]\n    auditor: audit\n"
                + "  allowed_algorithms: [ES384, PS256]\n  clock_skew: 0\n  jwks_cache_ttl: 1h\n"
                + "  jwks_refresh_min_interval: 10s\n").oidc().orElseThrow();
        assertEquals("https://keys.example.net/jwks.json", c.jwksUri().orElseThrow().toString());
        assertEquals("email", c.usernameClaim());
        assertEquals("roles", c.groupsClaim());
        assertEquals(Map.of(Role.ADMIN, Set.of("ops"), Role.ENGINEER, Set.of("dev", "ops"), Role.AUDITOR,
                Set.of("audit")), c.roleGroups());
        assertEquals(Set.of("ES384", "PS256"), c.allowedAlgorithms());
        assertEquals(Duration.ZERO, c.clockSkew());
        assertEquals(Duration.ofHours(1), c.jwksCacheTtl());
        assertEquals(Duration.ofSeconds(10), c.jwksRefreshMinInterval());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8443", "http://localhost/realms/x", "http://[::1]:9000",
            "http://127.1.2.3"})
    void plainHttpIsAllowedOnLoopback(String issuer) throws IOException {
        assertEquals(issuer, load("oidc:\n  issuer: \"" + issuer + "\"\n  audience: k\n").oidc().orElseThrow().issuer());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://idp.example.com", "http://10.0.0.1", "http://localhost.evil.example",
            "http://127.0.0.1.nip.io"})
    void plainHttpIsRefusedElsewhere(String issuer) {
        String m = error("oidc:\n  issuer: \"" + issuer + "\"\n  audience: k\n");
        assertTrue(m.startsWith("oidc.issuer must use https"), m);
    }

    @Test
    void jwksUriMustBeHttpsToo() {
        String m = error("oidc:\n  issuer: https://idp.example.com\n  audience: k\n  jwks_uri: http://idp.example.com/k\n");
        assertTrue(m.startsWith("oidc.jwks_uri must use https"), m);
    }

    @Test
    void issuerMustBeAnAbsoluteUrlWithoutQuery() {
        assertTrue(error("oidc:\n  issuer: login.example.com\n  audience: k\n")
                .startsWith("oidc.issuer must be an absolute https:// URL"));
        assertTrue(error("oidc:\n  issuer: \"https://idp.example.com/?tenant=1\"\n  audience: k\n")
                .startsWith("oidc.issuer must not have a query or fragment"));
    }

    @Test
    void issuerAndAudienceAreRequired() {
        assertTrue(error("oidc:\n  audience: k\n").startsWith("oidc.issuer is required"));
        assertTrue(error("oidc:\n  issuer: https://idp.example.com\n").startsWith("oidc.audience is required"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "hs512", "none", "NONE"})
    void symmetricAndUnsignedAlgorithmsAreRefused(String alg) {
        String m = error("oidc:\n  issuer: https://idp.example.com\n  audience: k\n  allowed_algorithms: [RS256, "
                + alg + "]\n");
        assertTrue(m.startsWith("oidc.allowed_algorithms must not contain"), m);
    }

    @Test
    void unknownAlgorithmIsRefused() {
        String m = error("oidc:\n  issuer: https://idp.example.com\n  audience: k\n  allowed_algorithms: [RS257]\n");
        assertTrue(m.startsWith("oidc.allowed_algorithms: unknown algorithm 'RS257'"), m);
    }

    @Test
    void hostRoleIsNeverGranted() {
        String m = error("oidc:\n  issuer: https://idp.example.com\n  audience: k\n  role_groups:\n    host: [servers]\n");
        assertTrue(m.startsWith("oidc.role_groups.host: the host role is never granted through OIDC"), m);
    }

    @Test
    void unknownRoleAndUnknownKeyAreRefused() {
        assertTrue(error("oidc:\n  issuer: https://idp.example.com\n  audience: k\n  role_groups:\n    root: [x]\n")
                .startsWith("oidc.role_groups.root: unknown role"));
        String m = error("oidc:\n  issuer: https://idp.example.com\n  audience: k\n  group_claim: g\n");
        assertTrue(m.contains("oidc.group_claim"), m);
    }

    @Test
    void refreshIntervalMustBeShorterThanTheCacheTtl() {
        String m = error("oidc:\n  issuer: https://idp.example.com\n  audience: k\n  jwks_cache_ttl: 1m\n"
                + "  jwks_refresh_min_interval: 1m\n");
        assertTrue(m.startsWith("oidc.jwks_refresh_min_interval must be at least 1s and shorter than"), m);
    }

    @Test
    void clockSkewIsBounded() {
        assertTrue(error("oidc:\n  issuer: https://idp.example.com\n  audience: k\n  clock_skew: 1h\n")
                .startsWith("oidc.clock_skew must be between 0s and 5m"));
    }
}
