package dev.keyward.ca.policy;

/**
 * Applies the rule's forced critical options (force-command, source-address). The request has no say: the
 * options come from the rule alone, so a request cannot drop or change them. Host certificates have none
 * (the loader refuses {@code critical_options} on host rules).
 */
final class CriticalOptionsModifier implements PolicyStep {
    @Override
    public void apply(PolicyContext ctx, DecisionDraft draft) {
        draft.criticalOptions(ctx.rule().criticalOptions());
    }
}
