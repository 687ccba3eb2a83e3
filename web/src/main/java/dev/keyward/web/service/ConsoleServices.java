package dev.keyward.web.service;

/** What only the admin console uses: its sessions. Everything it shows or changes goes through the API's services. */
public record ConsoleServices(ConsoleSessions sessions) {
}
