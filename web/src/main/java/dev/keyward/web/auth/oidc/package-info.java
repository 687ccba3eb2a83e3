/**
 * OIDC bearer tokens: a JWT from the configured issuer is verified against the issuer's JWKS (fetched over
 * https, cached, refetched at a limited rate when a token names an unknown key), its {@code iss}, {@code aud},
 * {@code exp}, {@code nbf} and {@code iat} are checked, and its username and groups claims become a
 * {@link dev.keyward.web.auth.Caller} whose roles come from {@code oidc.role_groups}. Every refusal is a 401
 * with a short reason that names no internals; an unreachable key set is a 503. Configuration:
 * {@link dev.keyward.web.config.OidcConfig}.
 */
package dev.keyward.web.auth.oidc;
