package dev.keyward.web.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.auth.ApiTokenAuthenticator;
import dev.keyward.web.auth.ApiTokenSecrets;
import dev.keyward.web.auth.AuthenticationException;
import dev.keyward.web.auth.Role;
import dev.keyward.web.config.OidcConfig;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parts of OIDC that need no server: which credentials it takes, size limits, the role mapping. */
class OidcAuthenticatorTest {
    /** Points at a port nothing listens on: these tests must never fetch keys. */
    private static final OidcConfig CFG = new OidcConfig("http://127.0.0.1:9", "keyward",
            Optional.of(URI.create("http://127.0.0.1:9/jwks")), "preferred_username", "groups",
            Map.of(Role.ADMIN, Set.of("admins"), Role.ENGINEER, Set.of("eng", "sre"), Role.AUDITOR, Set.of("audit")),
            Set.of("RS256", "ES256"), Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(30),
            Optional.empty());

    private final OidcAuthenticator oidc = new OidcAuthenticator(CFG, Clock.systemUTC());
    private final ApiTokenAuthenticator apiTokens = new ApiTokenAuthenticator(null, Clock.systemUTC());

    @Test
    void jwtsAndApiTokensGoToDifferentAuthenticators() {
        String apiToken = ApiTokenSecrets.generate();
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl";
        assertFalse(oidc.accepts(apiToken), "an API token must never reach the JWKS fetcher");
        assertFalse(apiTokens.accepts(jwt), "a JWT must never reach the token table");
        assertTrue(oidc.accepts(jwt));
        assertTrue(apiTokens.accepts(apiToken));
        assertTrue(oidc.accepts("eyJhbGciOiJub25lIn0.eyJ9."), "alg none is taken, to be refused with a reason");
        assertFalse(oidc.accepts("kwt_a.b.c"));
        assertFalse(oidc.accepts("a.b.c.d.e"), "JWE (five parts) is not ours");
        assertFalse(oidc.accepts("a.b"));
        assertFalse(oidc.accepts("a b.c.d"));
        assertFalse(oidc.accepts("a+/.b.c"), "base64url only");
    }

    @Test
    void oversizedTokenIsRefusedBeforeParsing() {
        String big = "eyJhbGciOiJSUzI1NiJ9." + "A".repeat(OidcAuthenticator.MAX_TOKEN_CHARS) + ".c2ln";
        assertTrue(oidc.accepts(big));
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> oidc.authenticate(big));
        assertEquals("token is too large", e.getMessage());
    }

    @Test
    void headerIsCheckedBeforeAnyKeyLookup() {
        // The key set URL is unreachable: reaching it would give a 503, not these 401s.
        AuthenticationException hs = assertThrows(AuthenticationException.class,
                () -> oidc.authenticate("eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjkifQ.c2ln"));
        assertEquals("token signing algorithm not accepted (accepted: ES256, RS256)", hs.getMessage());
        AuthenticationException garbage = assertThrows(AuthenticationException.class,
                () -> oidc.authenticate("bm90LWpzb24.eyJ9.c2ln"));
        assertEquals("token is not a well-formed JWT", garbage.getMessage());
    }

    @Test
    void groupsMapToEveryMatchingRoleAndNeverToHost() {
        RoleMapping m = new RoleMapping(CFG.roleGroups());
        assertEquals(Set.of(Role.ENGINEER), m.roles(List.of("sre")));
        assertEquals(Set.of(Role.ADMIN, Role.AUDITOR), m.roles(List.of("audit", "admins", "other")));
        assertEquals(Set.of(), m.roles(List.of("Admins", "ENG")), "group names are case-sensitive");
        assertEquals(Set.of(), m.roles(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new RoleMapping(Map.of(Role.HOST, Set.of("hosts"))));
    }
}
