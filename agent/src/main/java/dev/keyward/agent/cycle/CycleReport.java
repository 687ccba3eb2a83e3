package dev.keyward.agent.cycle;

import java.util.List;

/**
 * What a cycle did.
 *
 * @param failures       everything that failed (a non-empty list makes {@code once} exit non-zero)
 * @param warnings       problems that did not fail the cycle (StrictModes on directories the agent does not own)
 * @param notes          what changed
 * @param stateChanged   the server sent a new state document (not a 304)
 * @param stateElapsedMs how long the state request took (long-polls wait up to the wait time)
 * @param timingsMs      milliseconds per step
 */
public record CycleReport(List<String> failures, List<String> warnings, List<String> notes, boolean stateChanged,
        long stateElapsedMs, java.util.Map<String, Long> timingsMs) {
    public boolean ok() {
        return failures.isEmpty();
    }
}
