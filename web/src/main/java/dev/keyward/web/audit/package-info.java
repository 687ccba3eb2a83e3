/**
 * The audit log, a hash chain in PostgreSQL: entry n stores {@code hash_n = SHA-256(hash_{n-1} || canonical(entry_n))}
 * (hashes as raw bytes, stored hex; {@code hash_0} is 32 zero bytes). Appends take the row lock on the single
 * {@code audit_head} row inside the caller's transaction, so entries from any number of server nodes form one
 * gap-free chain, committed (or not) together with the action they record. {@link AuditVerifier} walks the
 * chain and names the first entry that was modified, deleted or reordered.
 * <p>
 * What the chain cannot show from inside the database (its newest entries deleted, or all of it rewritten with
 * recomputed hashes) the {@link Checkpoint}s show: the audit key's signatures over the chain's head, stored in
 * {@code audit_checkpoints} ({@link CheckpointDao}) and copied to sinks outside the database
 * ({@code dev.keyward.web.audit.sink}). {@link CheckpointCheck} holds the chain against every checkpoint it is
 * given, from the database and from files ({@link CheckpointFile}).
 */
package dev.keyward.web.audit;
