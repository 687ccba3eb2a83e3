package dev.keyward.cli.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which redirects to the loopback listener end the browser sign-in before the code is sent anywhere: another
 * {@code state}, another issuer (RFC 9207), an error, no code; and PKCE's S256 challenge (RFC 7636 appendix B).
 * The whole flow runs against Keycloak and Chromium in the web module ({@code SsoBrowserLoginTest}).
 */
class BrowserFlowTest {
    private static final String ISSUER = "https://idp.example.com/realms/staff";

    private static Provider provider(boolean issParameter) {
        return new Provider(ISSUER, Optional.of(URI.create(ISSUER + "/auth")), URI.create(ISSUER + "/token"),
                Optional.empty(), URI.create(ISSUER + "/certs"), Optional.empty(), true, issParameter);
    }

    @Test
    void onlyOurStateFromOurIssuerWithACodeGoesOn() {
        assertNull(BrowserFlow.refusal(Map.of("state", "s1", "code", "c", "iss", ISSUER), "s1", provider(true)));
        assertNull(BrowserFlow.refusal(Map.of("state", "s1", "code", "c"), "s1", provider(false)));
        assertTrue(BrowserFlow.refusal(Map.of("code", "c"), "s1", provider(false)).startsWith("the redirect carried no"
                + " state"));
        assertTrue(BrowserFlow.refusal(Map.of("state", "s2", "code", "c"), "s1", provider(false))
                .startsWith("the redirect carried a wrong state"));
        assertTrue(BrowserFlow.refusal(Map.of("state", "s1", "code", "c", "iss", "https://evil.example.com"), "s1",
                provider(false)).startsWith("the redirect does not name the issuer " + ISSUER));
        assertTrue(BrowserFlow.refusal(Map.of("state", "s1", "code", "c"), "s1", provider(true))
                .startsWith("the redirect does not name the issuer"), "iss is required once advertised");
        assertEquals("the sign-in was denied or cancelled at the identity provider (access_denied: no)",
                BrowserFlow.refusal(Map.of("state", "s1", "error", "access_denied", "error_description", "no"), "s1",
                        provider(false)));
        assertEquals("the redirect carried no authorization code",
                BrowserFlow.refusal(Map.of("state", "s1"), "s1", provider(false)));
    }

    @Test
    void aRepeatedOrBadlyEncodedParameterMakesTheRedirectAmbiguous() {
        assertEquals(Optional.empty(), LoopbackRedirect.query("state=a&state=b&code=c"));
        assertEquals(Optional.empty(), LoopbackRedirect.query("state=%zz"));
        assertEquals(Optional.of(Map.of("state", "a b", "code", "c")), LoopbackRedirect.query("state=a+b&code=c"));
    }

    @Test
    void pkceS256MatchesRfc7636AppendixB() {
        assertEquals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                Pkce.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    }
}
