package dev.keyward.ca.policy;

import java.util.List;
import java.util.Objects;

/**
 * The inputs every {@link PolicyStep} sees: the caller, the request, the host's registered names (host
 * certificates only) and the rule that matched.
 */
record PolicyContext(Identity who, IssueRequest request, List<String> hostNames, PolicyRule rule) {
    PolicyContext {
        Objects.requireNonNull(who);
        Objects.requireNonNull(request);
        hostNames = hostNames == null ? List.of() : List.copyOf(hostNames);
        Objects.requireNonNull(rule);
    }
}
