package dev.keyward.cli.oidc;

import dev.keyward.cli.config.CliEnv;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The authorization code flow with PKCE for a native application (RFC 8252): the system browser opens the
 * provider's authorization endpoint with {@code state}, {@code nonce} and an S256 {@code code_challenge}; the
 * provider sends the browser back to {@link LoopbackRedirect} with the code; the code and the verifier go to the
 * token endpoint. A redirect whose {@code state} is missing or not ours, that names another issuer (RFC 9207), or
 * that carries no code ends the sign-in before anything is sent anywhere.
 */
final class BrowserFlow {
    static final Duration WAIT = Duration.ofMinutes(5);

    private BrowserFlow() {
    }

    /** The tokens, and the nonce their ID token must carry. */
    record Result(Tokens tokens, String nonce) {
    }

    static Result run(IdpHttp http, Provider provider, LoginOffer offer, CliEnv env, PrintWriter out) {
        URI authorize = provider.authorizationEndpoint().orElseThrow(() -> new SignInException("the identity"
                + " provider's discovery document has no authorization_endpoint; use keyward login --device"));
        Pkce pkce = Pkce.create();
        String state = Pkce.random();
        String nonce = Pkce.random();
        try (LoopbackRedirect redirect = LoopbackRedirect.start(p -> refusal(p, state, provider))) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("response_type", "code");
            q.put("client_id", offer.clientId());
            q.put("redirect_uri", redirect.redirectUri().toString());
            q.put("scope", String.join(" ", offer.scopes()));
            q.put("state", state);
            q.put("nonce", nonce);
            q.put("code_challenge", pkce.challenge());
            q.put("code_challenge_method", Pkce.METHOD);
            URI url = URI.create(authorize + (authorize.getRawQuery() == null ? "?" : "&") + form(q));
            boolean opened = BrowserOpener.open(env, url);
            out.println(opened ? "Sign in at " + provider.issuer() + " in your browser. If it did not open, visit:"
                    : "Could not open a browser. To sign in at " + provider.issuer() + ", visit:");
            out.println("  " + url);
            out.println("Waiting for the sign-in (up to " + WAIT.toMinutes() + " minutes)...");
            out.flush();
            Map<String, String> back = redirect.await(WAIT);
            Map<String, String> exchange = new LinkedHashMap<>();
            exchange.put("grant_type", "authorization_code");
            exchange.put("code", back.get("code"));
            exchange.put("redirect_uri", redirect.redirectUri().toString());
            exchange.put("client_id", offer.clientId()); // a public client names itself (RFC 6749 section 4.1.3)
            exchange.put("code_verifier", pkce.verifier());
            SsoSignIn.clientAuth(offer, exchange);
            Tokens tokens = Tokens.from(http.postForm(provider.tokenEndpoint(), exchange, "the code exchange"),
                    "the code exchange", e -> new SignInException("the identity provider refused the authorization"
                            + " code: " + e));
            return new Result(tokens, nonce);
        }
    }

    /** Why the redirect is refused, or null. The state is compared in constant time. */
    static String refusal(Map<String, String> p, String state, Provider provider) {
        String got = p.get("state");
        if (got == null || got.isEmpty()) {
            return "the redirect carried no state, so it is not the answer to this sign-in; nothing was sent";
        }
        if (!MessageDigest.isEqual(got.getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))) {
            return "the redirect carried a wrong state, so it is not the answer to this sign-in; nothing was sent";
        }
        String iss = p.get("iss");
        if (iss != null ? !iss.equals(provider.issuer()) : provider.issParameter()) {
            return "the redirect does not name the issuer " + provider.issuer() + " (iss, RFC 9207); nothing was sent";
        }
        if (p.containsKey("error")) {
            OAuthError e = OAuthError.of(new LinkedHashMap<>(p)).orElse(new OAuthError("error",
                    java.util.Optional.empty()));
            return e.code().equals("access_denied")
                    ? "the sign-in was denied or cancelled at the identity provider (" + e + ")"
                    : "the identity provider refused the sign-in: " + e;
        }
        String code = p.get("code");
        if (code == null || code.isEmpty()) {
            return "the redirect carried no authorization code";
        }
        return null;
    }

    static String form(Map<String, String> q) {
        return q.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }
}
