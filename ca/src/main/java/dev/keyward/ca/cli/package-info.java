/** The offline {@code keyward-ca} CLI: create a CA key, print it, sign certificates, build KRLs, inspect certs. */
package dev.keyward.ca.cli;
