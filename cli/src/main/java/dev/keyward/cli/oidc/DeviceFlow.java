package dev.keyward.cli.oidc;

import dev.keyward.ca.Durations;
import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.cli.server.Printable;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The device authorization grant (RFC 8628): the provider hands out a user code; the engineer enters it at the
 * verification URL on any device with a browser; meanwhile the CLI polls the token endpoint at the interval the
 * provider asked for (section 3.4), five seconds more after each {@code slow_down} (section 3.5), until the
 * tokens come, the engineer denies ({@code access_denied}) or the code expires ({@code expired_token}, or its
 * {@code expires_in} has passed). PKCE (RFC 7636) is added when the provider advertises S256: some providers
 * (Keycloak with S256 required for the client) demand it on the device request too.
 */
final class DeviceFlow {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    static final Duration SLOW_DOWN_STEP = Duration.ofSeconds(5);
    static final Duration MAX_INTERVAL = Duration.ofMinutes(1);
    static final Duration MAX_EXPIRY = Duration.ofHours(1);
    static final String GRANT = "urn:ietf:params:oauth:grant-type:device_code";

    /** Waits between polls (tests pass one that only records). */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final IdpHttp http;
    private final Sleeper sleeper;

    DeviceFlow(IdpHttp http, Sleeper sleeper) {
        this.http = http;
        this.sleeper = sleeper;
    }

    /** The device authorization response (RFC 8628 section 3.2). */
    record Authorization(String deviceCode, String userCode, URI verificationUri, Optional<URI> complete,
            Duration expiresIn, Duration interval) {
        @Override
        public String toString() {
            return "Authorization[hidden]";
        }
    }

    Tokens run(Provider provider, LoginOffer offer, PrintWriter out) {
        URI endpoint = provider.deviceEndpoint().orElseThrow(() -> new SignInException("the identity provider at "
                + provider.issuer() + " offers no device sign-in (no device_authorization_endpoint); run keyward login"
                + " where a browser can open"));
        Optional<Pkce> pkce = provider.pkceS256Advertised() ? Optional.of(Pkce.create()) : Optional.empty();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", offer.clientId());
        form.put("scope", String.join(" ", offer.scopes()));
        pkce.ifPresent(p -> {
            form.put("code_challenge", p.challenge());
            form.put("code_challenge_method", Pkce.METHOD);
        });
        SsoSignIn.clientAuth(offer, form);
        IdpHttp.Answer a = http.postForm(endpoint, form, "the device authorization request");
        if (!a.ok()) {
            OAuthError e = OAuthError.in(a, "the device authorization request");
            throw new SignInException("the identity provider refused the device sign-in: " + e
                    + (e.code().equals("unauthorized_client") ? " (is the device grant enabled for the client "
                    + offer.clientId() + "?)" : ""));
        }
        Authorization auth = IdpHttp.read(a.body(), "the device authorization answer", DeviceFlow::authorization);
        out.println("To sign in, open " + auth.verificationUri() + " and enter the code " + auth.userCode());
        auth.complete().ifPresent(c -> out.println("  (or open " + c + ")"));
        out.println("Waiting for the sign-in (the code expires in " + Durations.format(auth.expiresIn()) + ")...");
        out.flush();
        return poll(provider, offer, auth, pkce);
    }

    private Tokens poll(Provider provider, LoginOffer offer, Authorization auth, Optional<Pkce> pkce) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", GRANT);
        form.put("device_code", auth.deviceCode());
        form.put("client_id", offer.clientId());
        pkce.ifPresent(p -> form.put("code_verifier", p.verifier()));
        SsoSignIn.clientAuth(offer, form);
        Duration interval = auth.interval();
        Duration waited = Duration.ZERO;
        // bounded by the code's lifetime: each round waits at least a second of it
        while (waited.compareTo(auth.expiresIn()) < 0) {
            try {
                sleeper.sleep(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SignInException("interrupted while waiting for the device sign-in");
            }
            waited = waited.plus(interval);
            IdpHttp.Answer a = http.postForm(provider.tokenEndpoint(), form, "polling for the device sign-in");
            if (a.ok()) {
                return Tokens.from(a, "the device sign-in", e -> new SignInException(e.toString()));
            }
            OAuthError e = OAuthError.in(a, "polling for the device sign-in");
            switch (e.code()) {
                case "authorization_pending" -> {
                    // the engineer has not finished yet: poll again after the same interval
                }
                case "slow_down" -> interval = min(interval.plus(SLOW_DOWN_STEP), MAX_INTERVAL);
                case "access_denied" -> throw new SignInException("the sign-in was denied at the identity provider"
                        + " (access_denied); run keyward login again to retry");
                case "expired_token" -> throw expired();
                default -> throw new SignInException("the identity provider refused the device sign-in: " + e);
            }
        }
        throw expired();
    }

    private static SignInException expired() {
        return new SignInException("the code expired before the sign-in was approved (expired_token); run keyward"
                + " login again for a new code");
    }

    private static Authorization authorization(JsonObject o) throws JsonException {
        String deviceCode = o.string("device_code");
        String userCode = o.string("user_code");
        // "verification_url" is how Google spells verification_uri
        String uri = o.string("verification_uri") != null ? o.string("verification_uri") : o.string("verification_url");
        if (deviceCode == null || deviceCode.isEmpty() || userCode == null || userCode.isEmpty() || uri == null) {
            throw new SignInException("the identity provider's device authorization answer lacks device_code,"
                    + " user_code or verification_uri");
        }
        String complete = o.string("verification_uri_complete");
        long expires = o.longValue("expires_in");
        Integer interval = o.asMap().get("interval") == null ? null : o.intValue("interval");
        if (expires <= 0) {
            throw new SignInException("the identity provider's device code expires_in is not positive");
        }
        return new Authorization(deviceCode, Printable.clean(userCode, 64),
                IdpHttp.endpoint("verification_uri", uri),
                complete == null ? Optional.empty() : Optional.of(IdpHttp.endpoint("verification_uri_complete",
                        complete)),
                min(Duration.ofSeconds(expires), MAX_EXPIRY),
                interval == null || interval <= 0 ? DEFAULT_INTERVAL : min(Duration.ofSeconds(interval), MAX_INTERVAL));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
