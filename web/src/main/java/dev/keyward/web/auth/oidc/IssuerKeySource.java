package dev.keyward.web.auth.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetParseException;
import com.nimbusds.jose.jwk.source.JWKSetRetrievalException;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.ResourceRetriever;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.config.OidcConfig;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the issuer's JWK set: from {@code oidc.jwks_uri}, or from the {@code jwks_uri} of the issuer's discovery
 * document (OpenID Connect Discovery 1.0 section 4), whose {@code issuer} must equal the configured one
 * (section 4.3). Discovery is lazy, so an issuer that is down at start-up does not stop the server (API tokens
 * keep working); its result is kept until a key fetch fails, then discovered again.
 *
 * <p>This is the bottom of nimbus' source chain: {@link com.nimbusds.jose.jwk.source.JWKSourceBuilder} adds the
 * cache, the retry and the rate limit on top. Every failure is logged here with its cause, once per attempt
 * (attempts are rate-limited above), and surfaces as a {@link JWKSetRetrievalException}. Only public keys are
 * kept, should the document carry more.
 */
final class IssuerKeySource implements JWKSetSource<SecurityContext> {
    private static final Logger LOG = LoggerFactory.getLogger(IssuerKeySource.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OidcConfig cfg;
    private final ResourceRetriever http;
    private volatile URL discovered;
    private volatile boolean lastFetchFailed;
    private volatile List<String> lastKeyIds = List.of();

    IssuerKeySource(OidcConfig cfg, ResourceRetriever http) {
        this.cfg = cfg;
        this.http = http;
    }

    /** Whether the most recent attempt to fetch the keys failed (so a rate-limited refresh means "unavailable"). */
    boolean lastFetchFailed() {
        return lastFetchFailed;
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
            throws KeySourceException {
        URL url = null;
        try {
            url = jwksUrl();
            JWKSet keys = JWKSet.parse(http.retrieveResource(url).getContent()).toPublicJWKSet();
            lastFetchFailed = false;
            List<String> ids = keys.getKeys().stream().map(k -> String.valueOf(k.getKeyID())).sorted().toList();
            if (!ids.equals(lastKeyIds)) {
                LOG.info("OIDC: {} signing key(s) of {} from {}: key IDs {}", ids.size(), cfg.issuer(), url, ids);
                lastKeyIds = ids;
            }
            return keys;
        } catch (IOException | ConfigException e) {
            throw failed(url, e, false);
        } catch (ParseException e) {
            throw failed(url, e, true);
        }
    }

    private KeySourceException failed(URL url, Exception e, boolean parse) {
        lastFetchFailed = true;
        discovered = null;
        LOG.warn("OIDC: cannot fetch the signing keys of {} from {}: {}", cfg.issuer(),
                url == null ? cfg.discoveryUri() : url, e.toString());
        String what = "cannot fetch the signing keys of " + cfg.issuer();
        return parse ? new JWKSetParseException(what, e) : new JWKSetRetrievalException(what, e);
    }

    private URL jwksUrl() throws IOException, ParseException {
        Optional<URI> configured = cfg.jwksUri();
        if (configured.isPresent()) {
            return configured.get().toURL();
        }
        URL d = discovered;
        if (d == null) {
            d = discover();
            discovered = d;
        }
        return d;
    }

    private URL discover() throws IOException, ParseException {
        URL url = cfg.discoveryUri().toURL();
        JsonNode doc;
        try {
            doc = JSON.readTree(http.retrieveResource(url).getContent());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ParseException("the discovery document " + url + " is not JSON", 0);
        }
        JsonNode issuer = doc == null ? null : doc.get("issuer");
        if (issuer == null || !issuer.isTextual() || !issuer.asText().equals(cfg.issuer())) {
            throw new IOException("the discovery document " + url + " names issuer "
                    + (issuer == null ? "(none)" : "'" + abbreviate(issuer.asText()) + "'") + ", not the configured "
                    + cfg.issuer());
        }
        JsonNode jwks = doc.get("jwks_uri");
        if (jwks == null || !jwks.isTextual()) {
            throw new IOException("the discovery document " + url + " has no jwks_uri");
        }
        try {
            URL found = OidcConfig.secureUrl("jwks_uri of " + url, jwks.asText()).toURL();
            LOG.info("OIDC: discovered the key set of {} at {}", cfg.issuer(), found);
            return found;
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IOException("the discovery document " + url + " has an unusable jwks_uri", e);
        }
    }

    private static String abbreviate(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 80 ? p.substring(0, 80) + "..." : p;
    }

    @Override
    public void close() {
        // Nothing held open: every fetch uses its own connection.
    }
}
