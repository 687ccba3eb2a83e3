/**
 * Signing the engineer in at the company's OpenID Connect provider, as {@code GET /api/v1/login/config} of the
 * Keyward server says ({@link dev.keyward.cli.oidc.LoginOffer}): the authorization code flow with PKCE on a loopback
 * redirect (RFC 6749, RFC 7636, RFC 8252; {@link dev.keyward.cli.oidc.BrowserFlow}), the device authorization grant
 * (RFC 8628; {@link dev.keyward.cli.oidc.DeviceFlow}), and the refresh token kept 0600 for renewals without a
 * browser ({@link dev.keyward.cli.oidc.SavedSignIns}). {@link dev.keyward.cli.oidc.SsoSignIn} chooses among them.
 * JSON is read with the {@code ca} module's strict codec; ID token signatures with nimbus-jose-jwt.
 */
package dev.keyward.cli.oidc;
