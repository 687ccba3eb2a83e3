package dev.keyward.cli.oidc;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.cli.server.Printable;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The identity provider's endpoints, from its discovery document (OpenID Connect Discovery 1.0 section 4), whose
 * {@code issuer} must be exactly the issuer the Keyward server named (section 4.3: otherwise another provider's
 * endpoints could be slipped in).
 *
 * @param issParameter whether the provider adds {@code iss} to its redirects (RFC 9207); then a redirect without
 *                     it is refused
 */
record Provider(String issuer, Optional<URI> authorizationEndpoint, URI tokenEndpoint, Optional<URI> deviceEndpoint,
        URI jwksUri, Optional<URI> revocationEndpoint, boolean pkceS256Advertised, boolean issParameter) {

    static final String WELL_KNOWN = "/.well-known/openid-configuration";

    static URI discoveryUri(String issuer) {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return IdpHttp.endpoint("the issuer", base + WELL_KNOWN);
    }

    static Provider discover(IdpHttp http, String issuer) {
        URI url = discoveryUri(issuer);
        String what = "the discovery document " + url;
        return http.getJson(url, what, o -> read(o, issuer, what));
    }

    private static Provider read(JsonObject o, String issuer, String what) throws JsonException {
        String named = o.string("issuer");
        if (!issuer.equals(named)) {
            throw new SignInException(what + " names the issuer '" + Printable.clean(String.valueOf(named), 200)
                    + "', not " + issuer + " (the Keyward server's oidc.issuer must be the provider's issuer exactly)");
        }
        List<String> pkce = o.strings("code_challenge_methods_supported");
        Boolean iss = o.asMap().get("authorization_response_iss_parameter_supported") instanceof Boolean b ? b : null;
        return new Provider(issuer, optionalUrl(o, "authorization_endpoint", what), url(o, "token_endpoint", what),
                optionalUrl(o, "device_authorization_endpoint", what), url(o, "jwks_uri", what),
                optionalUrl(o, "revocation_endpoint", what), pkce != null && pkce.contains("S256"),
                Boolean.TRUE.equals(iss));
    }

    private static URI url(JsonObject o, String field, String what) throws JsonException {
        return optionalUrl(o, field, what).orElseThrow(() -> new SignInException(what + " has no " + field));
    }

    private static Optional<URI> optionalUrl(JsonObject o, String field, String what) throws JsonException {
        String v = o.string(field);
        return v == null ? Optional.empty() : Optional.of(IdpHttp.endpoint(field + " in " + what, v));
    }
}
