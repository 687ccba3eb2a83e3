package dev.keyward.web.audit;

import java.util.Optional;

/**
 * One thing wrong with the audit trail.
 *
 * @param kind    {@code chain} (an entry modified, deleted or reordered: the hash chain itself breaks),
 *                {@code truncated} (the chain ends before an entry a checkpoint covers),
 *                {@code rewritten} (an entry's hash is not the one a checkpoint recorded),
 *                {@code bad_signature} (a checkpoint the audit key did not sign),
 *                {@code checkpoint_deleted} (a signed checkpoint in a sink file that the database lacks),
 *                {@code audit_key} (the database's record of the audit key is not the key in the token)
 * @param seq     the entry it concerns, if one
 * @param message what is wrong, for a person
 */
public record AuditProblem(String kind, Optional<Long> seq, String message) {
    public static AuditProblem of(String kind, long seq, String message) {
        return new AuditProblem(kind, Optional.of(seq), message);
    }

    public static AuditProblem of(String kind, String message) {
        return new AuditProblem(kind, Optional.empty(), message);
    }
}
