/**
 * The engineer's certificate on this machine: checks before it is written (the right key, a user certificate,
 * a CA the server publishes and that was pinned at first login), the {@code -cert.pub} file, the CA pins.
 */
package dev.keyward.cli.cert;
