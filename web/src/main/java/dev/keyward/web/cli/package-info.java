/** The {@code keyward-server} command line: serve, migrate, token create, audit verify. */
package dev.keyward.web.cli;
