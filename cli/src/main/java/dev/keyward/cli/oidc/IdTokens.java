package dev.keyward.cli.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Validates an ID token as OpenID Connect Core 1.0 section 3.1.3.7 asks: its signature with a key of the issuer's
 * JWK set (asymmetric algorithms only; nimbus-jose-jwt verifies), {@code iss} exactly the issuer, {@code aud}
 * containing our client ID ({@code azp} too when present, and required with several audiences), {@code exp} not
 * past, {@code iat} not ahead, {@code sub} present, and {@code nonce} equal to the one this sign-in sent. After a
 * refresh (section 12.2) the subject must be the one of the first sign-in.
 */
final class IdTokens {
    /** The asymmetric JWS algorithms of RFC 7518 section 3.1 the JDK verifies on its own. */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512);
    static final Duration SKEW = Duration.ofMinutes(5);

    private IdTokens() {
    }

    /** What the CLI takes from a valid ID token. */
    record Identity(String subject, Optional<String> username) {
    }

    /** A claim check that failed, with the message for the engineer (told apart from nimbus' own by its class). */
    private static final class Refused extends BadJWTException {
        Refused(String message) {
            super(message);
        }
    }

    static Identity verify(String idToken, Provider provider, IdpHttp http, String clientId, Optional<String> nonce,
            Optional<String> subject, Instant now) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(idToken);
        } catch (ParseException e) {
            throw new SignInException("the identity provider's ID token is not a signed JWT");
        }
        JWKSet keys;
        try {
            keys = JWKSet.parse(new String(http.get(provider.jwksUri(), "the key set " + provider.jwksUri()),
                    StandardCharsets.UTF_8)).toPublicJWKSet();
        } catch (ParseException e) {
            throw new SignInException("the identity provider's key set " + provider.jwksUri() + " is not a JWK set");
        }
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(keys)));
        processor.setJWTClaimsSetVerifier((claims, ctx) -> check(claims, provider.issuer(), clientId, nonce, subject,
                now));
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (Refused e) {
            throw new SignInException("the identity provider's ID token is refused: " + e.getMessage());
        } catch (BadJOSEException e) {
            throw new SignInException("the identity provider's ID token does not verify with a key of its key set "
                    + provider.jwksUri() + " (algorithm " + jwt.getHeader().getAlgorithm() + ")");
        } catch (JOSEException e) {
            throw new SignInException("the identity provider's ID token cannot be verified: " + e.getMessage(), e);
        }
        Object name = claims.getClaim("preferred_username");
        return new Identity(claims.getSubject(), name instanceof String s && !s.isBlank() ? Optional.of(s)
                : Optional.empty());
    }

    private static void check(JWTClaimsSet c, String issuer, String clientId, Optional<String> nonce,
            Optional<String> subject, Instant now) throws Refused {
        if (!issuer.equals(c.getIssuer())) {
            throw new Refused("its iss is not " + issuer);
        }
        List<String> aud = c.getAudience();
        if (aud == null || !aud.contains(clientId)) {
            throw new Refused("its aud does not contain the client ID " + clientId);
        }
        Object azp = c.getClaim("azp");
        if (azp != null ? !clientId.equals(azp) : aud.size() > 1) {
            throw new Refused("its azp is not the client ID " + clientId);
        }
        Date exp = c.getExpirationTime();
        if (exp == null || !exp.toInstant().plus(SKEW).isAfter(now)) {
            throw new Refused(exp == null ? "it has no exp" : "it expired at " + exp.toInstant());
        }
        Date iat = c.getIssueTime();
        if (iat == null || iat.toInstant().minus(SKEW).isAfter(now)) {
            throw new Refused(iat == null ? "it has no iat" : "it was issued in the future (" + iat.toInstant()
                    + "; is this machine's clock right?)");
        }
        if (c.getSubject() == null || c.getSubject().isEmpty()) {
            throw new Refused("it has no sub");
        }
        if (subject.isPresent() && !subject.get().equals(c.getSubject())) {
            throw new Refused("it names another user than the saved sign-in");
        }
        if (nonce.isPresent() && !nonce.get().equals(c.getClaim("nonce"))) {
            throw new Refused("its nonce is not the one this sign-in sent (a replayed or injected token)");
        }
    }
}
