/**
 * Issuance policy: which principals, lifetime, extensions, forced critical options, key types and key ID a
 * caller's certificate gets. {@link dev.keyward.ca.policy.IssuancePolicy} is loaded from the {@code policy:}
 * section of the configuration and applies small single-purpose steps (key validators, calculators, modifiers)
 * in one fixed order, after smallstep's SSHCertModifier/SSHCertValidator and Vault's calculate* functions.
 * No HTTP here: the server maps {@link dev.keyward.ca.policy.PolicyViolationException} to 403.
 */
package dev.keyward.ca.policy;
