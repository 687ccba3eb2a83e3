package dev.keyward.cli.oidc;

import static dev.keyward.cli.oidc.ScriptedIdp.error;
import static dev.keyward.cli.oidc.ScriptedIdp.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device grant's polling (RFC 8628 section 3.4 and 3.5) against a scripted provider: the interval it asks for,
 * five seconds more after each {@code slow_down}, {@code authorization_pending} polled again, {@code access_denied}
 * and {@code expired_token} ending it with their own message, and the code's lifetime bounding the polls. The waits
 * are recorded, not slept.
 */
class DeviceFlowTest {
    private static final String DEVICE = "{\"device_code\":\"dc-1\",\"user_code\":\"ABCD-EFGH\","
            + "\"verification_uri\":\"%s/activate\",\"verification_uri_complete\":\"%s/activate?c=ABCD-EFGH\","
            + "\"expires_in\":%d,\"interval\":%d}";
    private static final String TOKENS = "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\","
            + "\"refresh_token\":\"rt-1\",\"expires_in\":300}";

    ScriptedIdp idp;
    final List<Duration> waits = new CopyOnWriteArrayList<>();
    final StringWriter out = new StringWriter();

    @BeforeEach
    void start() throws IOException {
        idp = new ScriptedIdp();
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private void deviceAnswer(int expiresIn, int interval) {
        idp.device.add(ok(DEVICE.formatted(idp.issuer(), idp.issuer(), expiresIn, interval)));
    }

    private Tokens run() {
        return new DeviceFlow(new IdpHttp(Duration.ofSeconds(10)), waits::add).run(idp.provider(), idp.offer(),
                new PrintWriter(out, true));
    }

    private String refusal() {
        return assertThrows(SignInException.class, this::run).getMessage();
    }

    @Test
    void pollsAtTheIntervalAndSlowsDownWhenAsked() {
        deviceAnswer(600, 2);
        idp.token.add(error("authorization_pending"));
        idp.token.add(error("slow_down"));
        idp.token.add(error("authorization_pending"));
        idp.token.add(error("slow_down"));
        idp.token.add(ok(TOKENS));
        Tokens t = run();
        assertEquals("at-1", t.accessToken());
        assertEquals("rt-1", t.refreshToken().orElseThrow());
        assertEquals(List.of(2L, 2L, 7L, 7L, 12L), waits.stream().map(Duration::toSeconds).toList());
        assertTrue(out.toString().startsWith("To sign in, open " + idp.issuer() + "/activate and enter the code"
                + " ABCD-EFGH\n  (or open " + idp.issuer() + "/activate?c=ABCD-EFGH)\n"), out.toString());

        // PKCE on the device request (the provider advertises S256), its verifier on every poll
        Map<String, String> device = ScriptedIdp.form(idp.requests.get(0).substring("/device ".length()));
        assertEquals("S256", device.get("code_challenge_method"));
        assertEquals("keyward", device.get("client_id"));
        assertEquals("openid", device.get("scope"));
        for (String poll : idp.requests.subList(1, idp.requests.size())) {
            Map<String, String> f = ScriptedIdp.form(poll.substring("/token ".length()));
            assertEquals(DeviceFlow.GRANT, f.get("grant_type"));
            assertEquals("dc-1", f.get("device_code"));
            assertEquals(device.get("code_challenge"), Pkce.challenge(f.get("code_verifier")));
        }
    }

    @Test
    void noIntervalMeansFiveSecondsAndSlowDownIsCapped() {
        idp.device.add(ok("{\"device_code\":\"d\",\"user_code\":\"U\",\"verification_uri\":\"" + idp.issuer()
                + "/a\",\"expires_in\":3600}"));
        for (int i = 0; i < 15; i++) {
            idp.token.add(error("slow_down"));
        }
        idp.token.add(ok(TOKENS));
        run();
        assertEquals(5L, waits.get(0).toSeconds(), "RFC 8628 section 3.2: 5 seconds when interval is absent");
        assertEquals(60L, waits.get(waits.size() - 1).toSeconds(), "never more than a minute between polls");
    }

    @Test
    void accessDeniedEndsTheSignIn() {
        deviceAnswer(600, 1);
        idp.token.add(error("authorization_pending"));
        idp.token.add(error("access_denied"));
        assertEquals("the sign-in was denied at the identity provider (access_denied); run keyward login again to"
                + " retry", refusal());
    }

    @Test
    void expiredTokenEndsTheSignIn() {
        deviceAnswer(600, 1);
        idp.token.add(error("expired_token"));
        assertEquals("the code expired before the sign-in was approved (expired_token); run keyward login again for"
                + " a new code", refusal());
    }

    @Test
    void theCodesLifetimeBoundsThePolls() {
        deviceAnswer(3, 1);
        for (int i = 0; i < 10; i++) {
            idp.token.add(error("authorization_pending"));
        }
        assertTrue(refusal().startsWith("the code expired before the sign-in was approved"));
        assertEquals(3, waits.size(), "three polls, one a second, for a code of three seconds");
    }

    @Test
    void otherErrorsAreNamed() {
        deviceAnswer(600, 1);
        idp.token.add(error("invalid_client"));
        assertEquals("the identity provider refused the device sign-in: invalid_client: invalid_client said the IdP",
                refusal());
        idp.device.add(error("unauthorized_client"));
        assertEquals("the identity provider refused the device sign-in: unauthorized_client: unauthorized_client said"
                + " the IdP (is the device grant enabled for the client keyward?)", refusal());
        idp.device.add(new ScriptedIdp.Answer(502, "<html>bad gateway</html>"));
        assertEquals("the identity provider answered HTTP 502 to the device authorization request, and not with"
                + " JSON", refusal());
    }

    @Test
    void aMalformedDeviceAnswerIsRefused() {
        idp.device.add(ok("{\"device_code\":\"d\",\"verification_uri\":\"" + idp.issuer() + "/a\",\"expires_in\":60}"));
        assertEquals("the identity provider's device authorization answer lacks device_code, user_code or"
                + " verification_uri", refusal());
        idp.device.add(ok("{\"device_code\":\"d\",\"user_code\":\"U\",\"verification_uri\":\"http://idp.example.com/a\","
                + "\"expires_in\":60}"));
        assertTrue(refusal().startsWith("verification_uri 'http://idp.example.com/a' is plain http to a remote host"));
        idp.device.add(ok("{\"device_code\":\"d\",\"user_code\":\"U\",\"verification_uri\":\"" + idp.issuer()
                + "/a\",\"expires_in\":0}"));
        assertEquals("the identity provider's device code expires_in is not positive", refusal());
    }
}
