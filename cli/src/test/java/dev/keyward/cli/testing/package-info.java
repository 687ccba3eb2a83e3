/** Test fixtures: a software test CA and a stand-in for the server's two routes the CLI calls. */
package dev.keyward.cli.testing;
