/**
 * Backup and restore of the server's database: a consistent, version-independent dump of every Keyward table
 * (CSV, one file per table, with SHA-256 sums and row counts in a manifest) that restores into an empty database
 * or {@code KEYWARD_HOME}. A backup holds public material and hashes only: no PIN, token or private key; the CA
 * keys stay in their HSM (how to back those up is in docs/operator-guide.md).
 */
package dev.keyward.web.backup;
