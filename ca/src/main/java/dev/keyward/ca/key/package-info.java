/**
 * SSH public keys: the key types Keyward accepts, parsing and validation of OpenSSH public-key lines and
 * authorized_keys lines, SHA256 fingerprints as {@code ssh-keygen -lf} prints them, and conversion to JCA keys.
 */
package dev.keyward.ca.key;
