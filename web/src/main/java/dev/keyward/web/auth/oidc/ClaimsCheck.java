package dev.keyward.web.auth.oidc;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import dev.keyward.web.config.OidcConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * The claims of a token whose signature has been verified (nimbus runs claims verifiers only after the signature
 * checks out). nimbus' {@link DefaultJWTClaimsVerifier} decides: {@code iss} equal to the issuer, {@code aud}
 * containing the audience, {@code exp} required and in the future, {@code nbf} (if present) in the past, each
 * with the configured clock skew (RFC 7519 section 4.1). When it refuses, the reason is worked out again from
 * the claims themselves, so the caller reads "token expired" rather than library text. On top, an {@code iat}
 * in the future is refused (RFC 7519 leaves that to the application; a token minted ahead of time is suspect).
 */
final class ClaimsCheck implements JWTClaimsSetVerifier<SecurityContext> {
    private final OidcConfig cfg;
    private final Clock clock;
    private final Duration skew;
    private final DefaultJWTClaimsVerifier<SecurityContext> standard;

    ClaimsCheck(OidcConfig cfg, Clock clock) {
        this.cfg = cfg;
        this.clock = clock;
        this.skew = cfg.clockSkew();
        this.standard = new DefaultJWTClaimsVerifier<>(Set.of(cfg.audience()),
                new JWTClaimsSet.Builder().issuer(cfg.issuer()).build(), Set.of("iss", "aud", "exp"), Set.of()) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        standard.setMaxClockSkew((int) skew.toSeconds());
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        try {
            standard.verify(claims, context);
        } catch (BadJWTException e) {
            throw new JwtRejectedException(reason(claims), e);
        }
        Date iat = claims.getIssueTime();
        if (iat != null && iat.toInstant().isAfter(clock.instant().plus(skew))) {
            throw new JwtRejectedException(Rejections.ISSUED_IN_FUTURE);
        }
    }

    /** Why the standard verifier refused {@code c}, in the order a person would fix things. */
    private String reason(JWTClaimsSet c) {
        Instant now = clock.instant();
        if (!cfg.issuer().equals(c.getIssuer())) {
            return Rejections.ISSUER;
        }
        List<String> aud = c.getAudience();
        if (aud == null || !aud.contains(cfg.audience())) {
            return Rejections.AUDIENCE;
        }
        Date exp = c.getExpirationTime();
        if (exp == null) {
            return Rejections.NO_EXPIRY;
        }
        if (!exp.toInstant().plus(skew).isAfter(now)) {
            return Rejections.EXPIRED;
        }
        Date nbf = c.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().minus(skew).isAfter(now)) {
            return Rejections.NOT_YET_VALID;
        }
        return Rejections.CLAIMS;
    }
}
