package dev.keyward.ca.policy;

/**
 * One check or calculation of the issuance policy, in the spirit of smallstep's {@code SSHCertValidator} /
 * {@code SSHCertModifier} and Vault's {@code calculateTTL}: it reads the request and the matched rule, and
 * either throws (a {@link PolicyViolationException} for something the rule forbids, an
 * {@link dev.keyward.ca.InvalidInputException} for a malformed request) or fills its own field of the draft.
 * Validators fill nothing. {@link IssuancePolicy#STEPS} fixes the order.
 */
interface PolicyStep {
    void apply(PolicyContext ctx, DecisionDraft draft);
}
