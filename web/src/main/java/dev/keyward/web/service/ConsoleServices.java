package dev.keyward.web.service;

/**
 * What only the admin console uses: its sessions and the overview's counts. Everything it shows or changes
 * otherwise goes through the API's own services.
 */
public record ConsoleServices(ConsoleSessions sessions, OverviewService overview) {
}
