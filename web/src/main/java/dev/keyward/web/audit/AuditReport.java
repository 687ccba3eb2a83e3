package dev.keyward.web.audit;

import java.util.List;

/**
 * The outcome of {@code audit verify}: the chain walk, then the chain against every checkpoint.
 *
 * @param chain       the walk of the hash chain
 * @param checkpoints what the checkpoints showed
 * @param problems    everything wrong, the chain's own break first; empty when all is well
 * @param notes       what a reader should know that is not wrong (superseded checkpoints, lines of a file that are
 *                    not checkpoints, no checkpoint yet)
 */
public record AuditReport(VerifyResult chain, CheckpointSummary checkpoints, List<AuditProblem> problems,
        List<String> notes) {
    public AuditReport {
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
