package dev.keyward.web.audit;

import java.util.List;
import java.util.Optional;

/**
 * What the checkpoints showed.
 *
 * @param auditKey   the fingerprint of the key checkpoints were checked against (the audit key as the token holds
 *                   it, or the keys given to the command)
 * @param sources    where checkpoints were read, with how many each held ("the database: 12", "FILE: 12")
 * @param verified   distinct checkpoints whose signature verifies and that were checked against the chain
 * @param superseded valid checkpoints replaced by a later restore (not checked against the chain)
 * @param newest     the newest checked checkpoint, if any
 */
public record CheckpointSummary(List<String> auditKey, List<String> sources, int verified, int superseded,
        Optional<Checkpoint> newest) {
    public CheckpointSummary {
        auditKey = List.copyOf(auditKey);
        sources = List.copyOf(sources);
    }
}
