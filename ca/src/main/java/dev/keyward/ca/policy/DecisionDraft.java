package dev.keyward.ca.policy;

import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * The decision being assembled by the {@link PolicyStep}s, one field per step. {@link #toDecision()} refuses a
 * draft with a field no step has set, so a step missing from the pipeline fails loudly instead of issuing a
 * certificate with an empty field.
 */
final class DecisionDraft {
    private List<String> principals;
    private Duration ttl;
    private String keyId;
    private SortedMap<String, String> criticalOptions;
    private SortedSet<String> extensions;

    List<String> principals() {
        return principals;
    }

    void principals(List<String> principals) {
        this.principals = List.copyOf(principals);
    }

    Duration ttl() {
        return ttl;
    }

    void ttl(Duration ttl) {
        this.ttl = ttl;
    }

    String keyId() {
        return keyId;
    }

    void keyId(String keyId) {
        this.keyId = keyId;
    }

    SortedMap<String, String> criticalOptions() {
        return criticalOptions;
    }

    void criticalOptions(SortedMap<String, String> criticalOptions) {
        this.criticalOptions = criticalOptions;
    }

    SortedSet<String> extensions() {
        return extensions;
    }

    void extensions(SortedSet<String> extensions) {
        this.extensions = extensions;
    }

    Decision toDecision() {
        if (principals == null || ttl == null || keyId == null || criticalOptions == null || extensions == null) {
            throw new IllegalStateException("policy pipeline left a field unset: principals=" + principals + " ttl="
                    + ttl + " keyId=" + keyId + " criticalOptions=" + criticalOptions + " extensions=" + extensions);
        }
        return new Decision(principals, ttl, keyId, criticalOptions, extensions);
    }
}
