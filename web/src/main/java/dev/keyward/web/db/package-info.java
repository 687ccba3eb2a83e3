/**
 * PostgreSQL access: the connection pool, Flyway migrations from {@code db/migration} (the top-level
 * {@code migrations/} directory, packaged into the jar), the embedded PostgreSQL used by default, and one DAO
 * per table group over jOOQ code generated from the same migrations. DAOs are built on the {@code DSLContext}
 * of a transaction, so several DAOs share one transaction; services own the transactions.
 */
package dev.keyward.web.db;
