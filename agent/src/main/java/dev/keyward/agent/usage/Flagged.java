package dev.keyward.agent.usage;

import java.util.List;

/**
 * Log records that looked like sshd's but were not written by sshd (see {@link WriterCheck} and
 * {@link JournalSource}): not reported as usage; counted, and the first few described for people.
 *
 * @param count   how many
 * @param samples descriptions of the first {@link #MAX_SAMPLES} ({@code <time> pid 1234 (/usr/bin/python3): accepted
 *                publickey for root ED25519 SHA256:...})
 * @param last    the last one's description; null if none
 */
public record Flagged(long count, List<String> samples, String last) {
    public static final int MAX_SAMPLES = 20;
    public static final Flagged NONE = new Flagged(0, List.of(), null);

    public Flagged {
        samples = List.copyOf(samples);
    }

    /** These and {@code other}'s, in order (samples still capped). */
    public Flagged plus(Flagged other) {
        if (other.count == 0) {
            return this;
        }
        List<String> all = new java.util.ArrayList<>(samples);
        all.addAll(other.samples);
        return new Flagged(count + other.count, all.subList(0, Math.min(MAX_SAMPLES, all.size())), other.last);
    }
}
