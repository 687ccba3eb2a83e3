package dev.keyward.web.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.ca.Sha256;
import dev.keyward.web.auth.ApiTokenSecrets;
import dev.keyward.web.auth.AuthenticationException;
import dev.keyward.web.auth.AuthenticationUnavailableException;
import dev.keyward.web.auth.Authenticators;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.oidc.OidcAuthenticator;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.config.OidcConfig;
import dev.keyward.web.config.OidcLoginConfig;
import dev.keyward.web.db.ConsoleSessionDao;
import dev.keyward.web.db.Database;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's sign-in at the OIDC issuer of {@code oidc.login}: the authorization code flow (OpenID Connect Core
 * 1.0 section 3.1) with PKCE S256 (RFC 7636), as the same public client the CLI uses. {@link #start} stores the
 * state, nonce and code verifier under the hash of a random value that goes to the browser in a short-lived cookie,
 * and gives the issuer's authorization URL. {@link #finish} takes that row (once), compares the state, trades the
 * code for tokens, checks the ID token and its nonce, and authenticates the issuer's token exactly as the API
 * authenticates a bearer token, so the roles come from {@code oidc.role_groups} as for any API call.
 */
public final class ConsoleOidcSignIn {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleOidcSignIn.class);
    /** How long a sign-in may take between leaving for the issuer and coming back. */
    public static final Duration PENDING = Duration.ofMinutes(10);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OidcConfig oidc;
    private final OidcLoginConfig login;
    private final OidcAuthenticator idTokens;
    private final Authenticators auth;
    private final Database db;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private volatile Endpoints endpoints;

    private record Endpoints(URI authorization, URI token) {
    }

    public ConsoleOidcSignIn(OidcConfig oidc, OidcAuthenticator idTokens, Authenticators auth, Database db,
            Clock clock) {
        this.oidc = oidc;
        this.login = oidc.login().orElseThrow();
        this.idTokens = idTokens;
        this.auth = auth;
        this.db = db;
        this.clock = clock;
    }

    /** The issuer's host, to name it on the sign-in button. */
    public String issuerName() {
        return URI.create(oidc.issuer()).getHost();
    }

    /** {@code binding}: the browser's cookie value; {@code authorization}: where to send the browser. */
    public record Started(String binding, URI authorization) {
    }

    public Started start(String redirectUri) {
        Endpoints e = endpoints();
        String binding = ApiTokenSecrets.random();
        String state = ApiTokenSecrets.random();
        String nonce = ApiTokenSecrets.random();
        String verifier = ApiTokenSecrets.random();
        Instant now = clock.instant();
        db.transaction(tx -> {
            ConsoleSessionDao dao = new ConsoleSessionDao(tx);
            dao.deleteSignInsBefore(now.minus(PENDING));
            dao.insertSignIn(new ConsoleSessionDao.SignIn(ApiTokenSecrets.hash(binding), state, nonce, verifier, now));
            return null;
        });
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", login.clientId());
        q.put("redirect_uri", redirectUri);
        q.put("scope", String.join(" ", login.scopes()));
        q.put("state", state);
        q.put("nonce", nonce);
        q.put("code_challenge", challenge(verifier));
        q.put("code_challenge_method", "S256");
        String sep = e.authorization().getRawQuery() == null ? "?" : "&";
        return new Started(binding, URI.create(e.authorization() + sep + form(q)));
    }

    /** The caller the issuer vouches for; AuthenticationException saying why not. */
    public Caller finish(String binding, String state, String code, String redirectUri) {
        Instant now = clock.instant();
        ConsoleSessionDao.SignIn s = db.transaction(tx -> new ConsoleSessionDao(tx)
                .takeSignIn(ApiTokenSecrets.hash(binding))).orElseThrow(() -> new AuthenticationException(
                "this browser has no sign-in in progress here (it was used, or never started); sign in again"));
        if (s.createdAt().plus(PENDING).isBefore(now)) {
            throw new AuthenticationException("the sign-in took longer than " + PENDING.toMinutes()
                    + " minutes; sign in again");
        }
        if (!MessageDigest.isEqual(s.state().getBytes(StandardCharsets.UTF_8),
                state.getBytes(StandardCharsets.UTF_8))) {
            throw new AuthenticationException("the answer carries another sign-in's state, so it is not the answer to"
                    + " this one; sign in again");
        }
        Map<String, String> q = new LinkedHashMap<>();
        q.put("grant_type", "authorization_code");
        q.put("code", code);
        q.put("redirect_uri", redirectUri);
        q.put("client_id", login.clientId());
        q.put("code_verifier", s.codeVerifier());
        login.clientSecret().ifPresent(secret -> q.put("client_secret", secret));
        JsonNode tokens = post(endpoints().token(), form(q));
        if (tokens.hasNonNull("error")) {
            throw new AuthenticationException("the identity provider refused the sign-in: "
                    + tokens.path("error").asText());
        }
        String idToken = tokens.path("id_token").asText("");
        String bearer = login.bearerToken() == OidcLoginConfig.BearerToken.ID_TOKEN ? idToken
                : tokens.path("access_token").asText("");
        if (idToken.isEmpty() || bearer.isEmpty()) {
            throw new AuthenticationException("the identity provider's answer has no ID token or access token");
        }
        idTokens.verifyIdToken(idToken, s.nonce());
        return auth.authenticate(bearer);
    }

    private Endpoints endpoints() {
        Endpoints e = endpoints;
        if (e == null) {
            JsonNode d = get(oidc.discoveryUri());
            if (!oidc.issuer().equals(d.path("issuer").asText())) {
                throw unavailable("the discovery document names another issuer");
            }
            try {
                e = new Endpoints(OidcConfig.secureUrl("authorization_endpoint", d.path("authorization_endpoint")
                        .asText()), OidcConfig.secureUrl("token_endpoint", d.path("token_endpoint").asText()));
            } catch (ConfigException bad) {
                throw unavailable(bad.getMessage());
            }
            endpoints = e;
        }
        return e;
    }

    private JsonNode get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT).GET().build(), false);
    }

    private JsonNode post(URI uri, String body) {
        return send(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), true);
    }

    /** The JSON answer; for the token endpoint a 4xx answer is read too (it says why, RFC 6749 section 5.2). */
    private JsonNode send(HttpRequest r, boolean errorsAreAnswers) {
        try {
            HttpResponse<byte[]> resp = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
            int status = resp.statusCode();
            if (status == 200 || errorsAreAnswers && status >= 400 && status < 500) {
                return JSON.readTree(resp.body());
            }
            throw unavailable(r.uri() + " answered " + status);
        } catch (IOException e) {
            throw unavailable(r.uri() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    private static AuthenticationUnavailableException unavailable(String why) {
        LOG.warn("Console OIDC sign-in: the identity provider is unavailable: {}", why);
        return new AuthenticationUnavailableException("the identity provider is unavailable; try again shortly");
    }

    /** RFC 7636 section 4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
    static String challenge(String verifier) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Sha256.of(verifier.getBytes(
                StandardCharsets.US_ASCII)));
    }

    private static String form(Map<String, String> m) {
        return m.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
