package dev.keyward.web.service;

/**
 * What only the admin console uses: its configuration, its sessions, the overview's counts and the sign-in at the
 * OIDC issuer (empty without {@code oidc.login}). Everything it shows or changes otherwise goes through the API's own
 * services.
 */
public record ConsoleServices(dev.keyward.web.config.ConsoleConfig config, ConsoleSessions sessions,
        OverviewService overview, java.util.Optional<ConsoleOidcSignIn> oidc) {
}
