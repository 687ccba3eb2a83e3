package dev.keyward.web.console;

/** The sign-in page: a message (why the last attempt failed), and whether sign-in at the OIDC issuer is offered. */
public record LoginView(String message, boolean oidc, String issuerName) {
}
