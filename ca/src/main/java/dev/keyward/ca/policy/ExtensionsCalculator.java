package dev.keyward.ca.policy;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Calculates the extensions, like Vault's {@code calculateExtensions}: no requested set gets the rule's
 * {@code default_extensions}; a requested set (possibly empty, for a certificate without permissions) must lie
 * within the rule's {@code extensions}. Host certificates have no extensions (PROTOCOL.certkeys defines none).
 */
final class ExtensionsCalculator implements PolicyStep {
    @Override
    public void apply(PolicyContext ctx, DecisionDraft draft) {
        PolicyRule rule = ctx.rule();
        var requested = ctx.request().extensions();
        if (ctx.request().type() == CertType.HOST) {
            if (requested != null && !requested.isEmpty()) {
                throw new InvalidInputException("host certificates have no extensions; leave them out");
            }
            draft.extensions(Collections.emptySortedSet());
            return;
        }
        if (requested == null) {
            draft.extensions(rule.defaultExtensions());
            return;
        }
        SortedSet<String> sorted = new TreeSet<>(requested);
        for (String e : sorted) {
            if (!rule.extensions().contains(e)) {
                throw new PolicyViolationException(rule.rule("extensions"), "extension '"
                        + Principals.printable(e) + "' is not allowed; allowed: "
                        + (rule.extensions().isEmpty() ? "none" : String.join(", ", rule.extensions())));
            }
        }
        draft.extensions(sorted);
    }
}
