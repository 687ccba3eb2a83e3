/**
 * OpenSSH key revocation lists (KRLs, the binary format of OpenSSH's PROTOCOL.krl): a validated
 * {@link dev.keyward.ca.krl.KrlSpec} of what to revoke, a {@link dev.keyward.ca.krl.KrlWriter} that encodes it
 * exactly as compactly as {@code ssh-keygen -k} does (and never with a section OpenSSH would refuse), and a
 * strict reader, {@link dev.keyward.ca.krl.Krl}, that answers "is this key or certificate revoked?" the way
 * {@code ssh-keygen -Q} and sshd's {@code RevokedKeys} do.
 *
 * <p>A KRL that sshd cannot load makes it refuse every public-key login, so the reader is at least as strict
 * as OpenSSH's {@code krl.c}: anything it rejects, Keyward must not install. Where krl.c loads a section that can
 * never match (a certificates section whose CA key is an Ed25519 key off the curve, or a certificate), the reader
 * loads it too and it matches nothing; a CA key of a type Keyward does not read (DSA) still refuses the KRL.
 */
package dev.keyward.ca.krl;
