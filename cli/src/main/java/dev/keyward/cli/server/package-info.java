/** The CLI's HTTP client for the Keyward server, and the mapping of its problem+json errors to messages. */
package dev.keyward.cli.server;
