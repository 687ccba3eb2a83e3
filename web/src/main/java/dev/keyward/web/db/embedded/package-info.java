/**
 * The embedded PostgreSQL of the default setup ({@code serve} with no {@code database.url}): its binaries, the
 * operating-system account it runs as, its cluster under {@code $KEYWARD_HOME/pgdata} and who owns the running
 * server.
 *
 * <p>It is as closed as a production database: it never runs as root (a root server runs it as the system account
 * {@code keyward}, created when missing), its Unix socket directory is private, and every connection, over TCP or the
 * socket, authenticates with scram-sha-256 as the non-superuser role {@code keyward}, which owns only the database
 * {@code keyward}, with a password generated on first start and kept in {@code $KEYWARD_HOME/pg-password} (0600).
 * The superuser has no password and no {@code pg_hba.conf} line: nobody logs in as it.
 */
package dev.keyward.web.db.embedded;
