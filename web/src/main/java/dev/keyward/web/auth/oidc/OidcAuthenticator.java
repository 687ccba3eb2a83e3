package dev.keyward.web.auth.oidc;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.keyward.web.auth.ApiTokenSecrets;
import dev.keyward.web.auth.AuthenticationException;
import dev.keyward.web.auth.AuthenticationUnavailableException;
import dev.keyward.web.auth.BearerAuthenticator;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.config.OidcConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts JWT bearer tokens from the configured OIDC issuer.
 *
 * <p>Order of checks, cheapest and most telling first: the size; the JOSE header (a JWS, never {@code none},
 * with an allowed asymmetric algorithm, so HMAC tokens "signed" with the public key never reach a verifier);
 * the (still unverified) {@code iss}, so tokens of other issuers cost no key lookup; then nimbus'
 * {@link DefaultJWTProcessor}: {@code typ}, key by {@code kid} from the issuer's JWKS, signature, and then
 * {@link ClaimsCheck}. Only then are the username and groups claims read. Refusing on unverified content is
 * safe; accepting only ever happens after the signature and claims checks.
 *
 * <p>The caller's audit name is {@code oidc:<username>}; its roles come from {@link RoleMapping}, its groups go
 * to the issuance policy unchanged.
 */
public final class OidcAuthenticator implements BearerAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(OidcAuthenticator.class);
    /** Larger tokens are refused before parsing (real ones are a few KiB even with many groups). */
    static final int MAX_TOKEN_CHARS = 16 * 1024;
    /**
     * Usernames become {@code oidc:<username>} in the audit log and the requester of certificates, both
     * varchar(255); longer ones are refused rather than cut.
     */
    static final int MAX_USERNAME_CHARS = 250;
    static final int HTTP_CONNECT_TIMEOUT_MS = 2_000;
    static final int HTTP_READ_TIMEOUT_MS = 3_000;
    static final int HTTP_SIZE_LIMIT_BYTES = 256 * 1024;
    /** How long requests wait for another thread's fetch of the keys before giving up (503). */
    static final long CACHE_REFRESH_TIMEOUT_MS = 10_000;
    private static final Set<String> TOKEN_TYPES = Set.of("jwt", "at+jwt");

    private final OidcConfig cfg;
    private final IssuerKeySource keys;
    private final DefaultJWTProcessor<SecurityContext> processor;
    /** ID tokens of the console's sign-in ({@code oidc.login}): audience the client ID; empty without it. */
    private final Optional<DefaultJWTProcessor<SecurityContext>> idTokens;
    private final RoleMapping roles;

    public OidcAuthenticator(OidcConfig cfg, Clock clock) {
        this(cfg, clock, new DefaultResourceRetriever(HTTP_CONNECT_TIMEOUT_MS, HTTP_READ_TIMEOUT_MS,
                HTTP_SIZE_LIMIT_BYTES));
    }

    OidcAuthenticator(OidcConfig cfg, Clock clock, ResourceRetriever http) {
        this.cfg = cfg;
        this.keys = new IssuerKeySource(cfg, http);
        this.roles = new RoleMapping(cfg.roleGroups());
        JWKSource<SecurityContext> source = JWKSourceBuilder.create(keys)
                .cache(cfg.jwksCacheTtl().toMillis(), CACHE_REFRESH_TIMEOUT_MS)
                .refreshAheadCache(false) // no background threads; a fetch happens on the request that needs it
                .rateLimited(cfg.jwksRefreshMinInterval().toMillis())
                .retrying(true)
                .build();
        Set<JWSAlgorithm> algorithms = cfg.allowedAlgorithms().stream().map(JWSAlgorithm::parse)
                .collect(Collectors.toUnmodifiableSet());
        processor = processor(algorithms, source, new ClaimsCheck(cfg, clock));
        idTokens = cfg.login().map(login -> processor(algorithms, source, new ClaimsCheck(new OidcConfig(
                cfg.issuer(), login.clientId(), cfg.jwksUri(), cfg.usernameClaim(), cfg.groupsClaim(),
                cfg.roleGroups(), cfg.allowedAlgorithms(), cfg.clockSkew(), cfg.jwksCacheTtl(),
                cfg.jwksRefreshMinInterval(), cfg.login()), clock)));
        LOG.info("OIDC: accepting {} tokens from issuer {} for audience {}; keys from {}; username claim {}, groups"
                + " claim {}, role groups {}", cfg.allowedAlgorithms().stream().sorted().toList(), cfg.issuer(),
                cfg.audience(), cfg.jwksUri().map(Object::toString).orElse("discovery (" + cfg.discoveryUri() + ")"),
                cfg.usernameClaim(), cfg.groupsClaim(), cfg.roleGroups());
        if (cfg.roleGroups().isEmpty()) {
            LOG.warn("OIDC: oidc.role_groups is empty, so OIDC callers hold no role and every API route refuses them"
                    + " (403)");
        }
    }

    /**
     * A JWS in compact form: three base64url parts, two dots. API tokens ({@value ApiTokenSecrets#PREFIX}...)
     * contain no dot, so the two never reach each other's checks (no database lookup for a JWT, no key fetch for
     * an API token).
     */
    @Override
    public boolean accepts(String credential) {
        if (credential.startsWith(ApiTokenSecrets.PREFIX)) {
            return false;
        }
        int dots = 0;
        for (int i = 0; i < credential.length(); i++) {
            char c = credential.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
                    || c == '_')) {
                return false;
            }
        }
        return dots == 2;
    }

    private static DefaultJWTProcessor<SecurityContext> processor(Set<JWSAlgorithm> algorithms,
            JWKSource<SecurityContext> source, ClaimsCheck claims) {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSTypeVerifier(OidcAuthenticator::checkType);
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, source));
        p.setJWTClaimsSetVerifier(claims);
        return p;
    }

    @Override
    public Caller authenticate(String credential) {
        JWTClaimsSet claims = verify(processor, credential);
        String username = username(claims);
        List<String> groups = groups(claims);
        Set<Role> granted = roles.roles(groups);
        return new Caller("oidc:" + username, username, granted, groups, Optional.empty(), List.of());
    }

    /**
     * Checks the ID token of the console's authorization code sign-in (OpenID Connect Core 1.0 section 3.1.3.7):
     * signed by the issuer's keys, {@code iss} the issuer, {@code aud} the client ID ({@code oidc.login.client_id}),
     * not expired, and its {@code nonce} the one this sign-in sent (so a token from another sign-in is refused).
     */
    public void verifyIdToken(String idToken, String nonce) {
        DefaultJWTProcessor<SecurityContext> p = idTokens.orElseThrow(() -> new AuthenticationException(
                "the server offers no OIDC sign-in (oidc.login is not set)"));
        Object sent = verify(p, idToken).getClaim("nonce");
        if (!(sent instanceof String n) || !MessageDigest.isEqual(n.getBytes(StandardCharsets.UTF_8),
                nonce.getBytes(StandardCharsets.UTF_8))) {
            throw new AuthenticationException("the ID token's nonce is not the one this sign-in sent");
        }
    }

    private JWTClaimsSet verify(DefaultJWTProcessor<SecurityContext> p, String credential) {
        if (credential.length() > MAX_TOKEN_CHARS) {
            throw new AuthenticationException(Rejections.TOO_LARGE);
        }
        SignedJWT jwt = parse(credential);
        try {
            return p.process(jwt, null);
        } catch (JwtRejectedException e) {
            throw new AuthenticationException(e.getMessage());
        } catch (BadJWSException e) {
            throw new AuthenticationException(Rejections.SIGNATURE);
        } catch (BadJWTException e) {
            throw new AuthenticationException(Rejections.CLAIMS);
        } catch (BadJOSEException e) {
            // With the header checked in parse(), nimbus' only remaining plain BadJOSEException is "no key in the
            // issuer's set matches the token's kid and algorithm".
            throw new AuthenticationException(Rejections.UNKNOWN_KEY);
        } catch (KeySourceException e) {
            throw keysUnavailable(e);
        } catch (JOSEException e) {
            LOG.warn("OIDC: a token could not be verified: {}", e.toString());
            throw new AuthenticationException(Rejections.UNVERIFIABLE);
        }
    }

    /** Parses the header and the unverified claims, refusing what no verification could make acceptable. */
    private SignedJWT parse(String credential) {
        Header header;
        try {
            header = Header.parse(Base64URL.from(credential.substring(0, credential.indexOf('.'))));
        } catch (ParseException | IndexOutOfBoundsException e) {
            throw new AuthenticationException(Rejections.MALFORMED);
        }
        if (!(header instanceof JWSHeader jws)) {
            throw new AuthenticationException(header.getAlgorithm() != null
                    && "none".equals(header.getAlgorithm().getName()) ? Rejections.UNSIGNED : Rejections.MALFORMED);
        }
        if (!cfg.allowedAlgorithms().contains(jws.getAlgorithm().getName())) {
            throw new AuthenticationException(Rejections.ALGORITHM + " (accepted: "
                    + String.join(", ", cfg.allowedAlgorithms().stream().sorted().toList()) + ")");
        }
        SignedJWT jwt;
        String issuer;
        try {
            jwt = SignedJWT.parse(credential);
            issuer = jwt.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw new AuthenticationException(Rejections.MALFORMED);
        }
        if (!cfg.issuer().equals(issuer)) {
            throw new AuthenticationException(Rejections.ISSUER);
        }
        return jwt;
    }

    /** {@code typ} is optional; if present it must say JWT (RFC 7519 section 5.1) or at+jwt (RFC 9068). */
    private static void checkType(JOSEObjectType type, SecurityContext context) throws JwtRejectedException {
        if (type == null) {
            return;
        }
        String t = type.getType().toLowerCase(Locale.ROOT);
        if (t.startsWith("application/")) {
            t = t.substring("application/".length());
        }
        if (!TOKEN_TYPES.contains(t)) {
            throw new JwtRejectedException(Rejections.TYPE);
        }
    }

    private String username(JWTClaimsSet claims) {
        Object v = claims.getClaim(cfg.usernameClaim());
        if (!(v instanceof String s) || s.isEmpty() || s.length() > MAX_USERNAME_CHARS
                || s.chars().anyMatch(Character::isISOControl)) {
            throw new AuthenticationException(Rejections.noUsername(cfg.usernameClaim()));
        }
        return s;
    }

    private List<String> groups(JWTClaimsSet claims) {
        Object v = claims.getClaim(cfg.groupsClaim());
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (!(v instanceof List<?> list)) {
            throw new AuthenticationException(Rejections.badGroups(cfg.groupsClaim()));
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new AuthenticationException(Rejections.badGroups(cfg.groupsClaim()));
            }
            out.add(s);
        }
        return out;
    }

    /**
     * The keys could not be had. A rate-limited refresh while the last fetch succeeded means the token names a
     * key the issuer does not publish (401); otherwise the issuer is unreachable (503; the cause was logged by
     * {@link IssuerKeySource}).
     */
    private RuntimeException keysUnavailable(KeySourceException e) {
        if (causedBy(e, RateLimitReachedException.class) && !keys.lastFetchFailed()) {
            return new AuthenticationException(Rejections.UNKNOWN_KEY);
        }
        LOG.debug("OIDC: signing keys unavailable", e);
        return new AuthenticationUnavailableException(Rejections.KEYS_UNAVAILABLE);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
