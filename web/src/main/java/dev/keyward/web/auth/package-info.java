/**
 * Who is calling: roles, API tokens (256 random bits, shown once, stored as SHA-256, expiring, revocable) and
 * the bearer authenticators that turn an {@code Authorization} header into a {@link dev.keyward.web.auth.Caller}.
 * Further authenticators (OIDC) plug in through {@link dev.keyward.web.auth.BearerAuthenticator}.
 */
package dev.keyward.web.auth;
