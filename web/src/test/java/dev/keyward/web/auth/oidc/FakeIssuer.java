package dev.keyward.web.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny OpenID provider for tests, on 127.0.0.1: serves {@code /.well-known/openid-configuration} and
 * {@code /jwks} (the public halves of the keys it was told to publish), counts requests, and can be told to
 * fail. Keys are generated at run time; tokens are minted with nimbus. {@link #close()} stops the server.
 */
final class FakeIssuer implements AutoCloseable {
    static final String AUDIENCE = "keyward";

    private final HttpServer server;
    private final String issuer;
    private volatile List<JWK> published = List.of();
    private volatile int jwksStatus = 200;
    private volatile String discoveryIssuer;
    final AtomicInteger discoveryRequests = new AtomicInteger();
    final AtomicInteger jwksRequests = new AtomicInteger();

    private FakeIssuer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort();
        discoveryIssuer = issuer;
        server.createContext("/.well-known/openid-configuration", ex -> {
            discoveryRequests.incrementAndGet();
            respond(ex, 200, "{\"issuer\":\"" + discoveryIssuer + "\",\"jwks_uri\":\"" + jwksUri()
                    + "\",\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\"]}");
        });
        server.createContext("/jwks", ex -> {
            jwksRequests.incrementAndGet();
            int status = jwksStatus;
            respond(ex, status, status == 200 ? new JWKSet(published).toPublicJWKSet().toString() : "{\"error\":1}");
        });
        server.start();
    }

    static FakeIssuer start() {
        try {
            return new FakeIssuer();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fake OIDC issuer", e);
        }
    }

    String issuer() {
        return issuer;
    }

    String jwksUri() {
        return issuer + "/jwks";
    }

    /** Replaces the published key set (public halves only are served). */
    void publish(JWK... keys) {
        published = List.of(keys);
    }

    /** The status {@code /jwks} answers with (200 serves the keys). */
    void jwksStatus(int status) {
        jwksStatus = status;
    }

    /** The issuer the discovery document claims (a mismatch must be refused by the server). */
    void discoveryIssuer(String iss) {
        discoveryIssuer = iss;
    }

    /** The {@code oidc:} section pointing at this issuer, with a 1 s refresh interval for rotation tests. */
    String yaml(String extra) {
        return yaml("1s", extra);
    }

    String yaml(String refreshMinInterval, String extra) {
        return "oidc:\n  issuer: \"" + issuer + "\"\n  audience: " + AUDIENCE + "\n"
                + "  role_groups:\n    admin: [kw-admins]\n    engineer: [kw-engineers]\n    auditor: [kw-auditors]\n"
                + "  jwks_refresh_min_interval: " + refreshMinInterval + "\n" + extra;
    }

    static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static ECKey ecKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Claims a well-behaved issuer would put in a token for {@code username}, valid for 5 minutes. */
    JWTClaimsSet.Builder claims(String username, String... groups) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuer).audience(AUDIENCE).subject("sub-" + username)
                .claim("preferred_username", username).claim("groups", List.of(groups))
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    /** Signs {@code claims} with {@code key} (RS256 for RSA keys, ES256 for EC keys), naming the key's kid. */
    static String mint(JWK key, JWTClaimsSet claims) {
        return key instanceof ECKey ? mint(key, JWSAlgorithm.ES256, key.getKeyID(), claims)
                : mint(key, JWSAlgorithm.RS256, key.getKeyID(), claims);
    }

    static String mint(JWK key, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
        return mint(key, new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
    }

    static String mint(JWK key, JWSHeader header, JWTClaimsSet claims) {
        try {
            JWSSigner signer = key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
