/**
 * Engineers end to end: the real {@code keyward} CLI against the real server on embedded PostgreSQL, a real
 * ssh-agent and a real sshd that trusts the server's user CA; and the SSO sign-in against a real Keycloak
 * ({@link dev.keyward.web.testing.Keycloak}) with headless Chromium playing the engineer
 * ({@link dev.keyward.web.testing.Chromium}).
 */
package dev.keyward.web.engineer;
