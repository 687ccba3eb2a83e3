package dev.keyward.web.audit;

import java.time.Instant;

/**
 * One audit entry as stored.
 *
 * @param seq        position in the chain, 1, 2, 3... without gaps
 * @param occurredAt when, with microsecond precision (PostgreSQL's)
 * @param actor      who: {@code token:<id>:<username>}, {@code system}, {@code cli}
 * @param action     what, e.g. {@code cert.issue}, {@code cert.revoke}, {@code token.create}
 * @param subject    on what, e.g. {@code serial:42}, {@code token:7}
 * @param details    canonical JSON object (sorted keys, no spaces)
 * @param prevHash   hex hash of entry seq-1
 * @param hash       hex SHA-256(prevHash bytes || canonical form)
 */
public record AuditEntry(long seq, Instant occurredAt, String actor, String action, String subject, String details,
        String prevHash, String hash) {
}
