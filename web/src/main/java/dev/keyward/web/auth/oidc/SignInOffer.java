package dev.keyward.web.auth.oidc;

import dev.keyward.web.config.OidcConfig;
import dev.keyward.web.config.OidcLoginConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code GET /api/v1/login/config} tells a client so that it can sign an engineer in: the issuer, the public
 * client ID Keyward is registered under, the scopes, the flows it may use and which token to send back. Nothing in
 * it is secret (a public client has no secret; the optional {@code client_secret} is one that an issuer hands to
 * every installed copy of an application). Without {@code oidc.login} the document is {@code {}}.
 */
public final class SignInOffer {
    private final Map<String, Object> document;

    private SignInOffer(Map<String, Object> document) {
        this.document = Collections.unmodifiableMap(document);
    }

    public static SignInOffer of(Optional<OidcConfig> oidc) {
        Map<String, Object> doc = new LinkedHashMap<>();
        oidc.ifPresent(o -> o.login().ifPresent(login -> doc.put("oidc", describe(o.issuer(), login))));
        return new SignInOffer(doc);
    }

    private static Map<String, Object> describe(String issuer, OidcLoginConfig login) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", issuer);
        m.put("client_id", login.clientId());
        login.clientSecret().ifPresent(s -> m.put("client_secret", s));
        m.put("scopes", login.scopes());
        m.put("flows", login.flows().stream().sorted().map(OidcLoginConfig.Flow::label).toList());
        m.put("bearer_token", login.bearerToken().label());
        return Collections.unmodifiableMap(m);
    }

    /** The JSON document (an unmodifiable map, fields in a fixed order). */
    public Map<String, Object> document() {
        return document;
    }
}
