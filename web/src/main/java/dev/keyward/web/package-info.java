/**
 * The Keyward CA server: an HTTP API over the CA core ({@code dev.keyward.ca}) with PostgreSQL storage,
 * API-token authentication, issuance policy, revocation and KRL serving, and a hash-chained audit log.
 * Sub-packages: {@code config} (typed configuration), {@code db} (connection pool, migrations, DAOs),
 * {@code audit} (the hash chain), {@code auth} (tokens, roles, callers), {@code service} (the operations,
 * each owning its transaction), {@code http} (thin Javalin handlers), {@code metrics}, {@code cli}.
 */
package dev.keyward.web;
