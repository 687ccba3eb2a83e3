/**
 * Issuance policy: which principals, lifetime, extensions, forced critical options, key types and key ID a
 * caller's certificate gets. {@link dev.keyward.ca.policy.IssuancePolicy} is loaded from the {@code policy:}
 * section of the configuration and applies small single-purpose steps (key validators, calculators, modifiers)
 * in one fixed order, after smallstep's SSHCertModifier/SSHCertValidator and Vault's calculate* functions.
 * No HTTP here: the server maps {@link dev.keyward.ca.policy.PolicyViolationException} to 403 and other
 * {@link dev.keyward.ca.InvalidInputException}s to 400.
 *
 * <p>The configuration shape (every key but {@code name} and one of {@code roles}/{@code groups} optional):
 * <pre>{@code
 * policy:
 *   rules:                           # first rule matching the caller and the cert type wins
 *     - name: admins
 *       roles: [admin]
 *       principals: ["{{username}}", root]
 *       max_ttl: 1h
 *     - name: deployers
 *       roles: [engineer]
 *       groups: [sre]                # roles AND groups when both are given
 *       principals: ["{{username}}", "deploy-*"]
 *       default_principals: ["{{username}}"]
 *       default_ttl: 1h
 *       max_ttl: 8h
 *       extensions: [permit-pty, permit-port-forwarding, permit-agent-forwarding]
 *       default_extensions: [permit-pty]
 *       key_types: [ed25519, sk-ed25519, ecdsa-p256, rsa]
 *       min_rsa_bits: 3072
 *     - name: backup
 *       groups: [backup-operators]
 *       principals: [backup]
 *       max_ttl: 30m
 *       extensions: []               # none: no pty, no port, agent or X11 forwarding, no ~/.ssh/rc
 *       critical_options:
 *         force-command: /usr/local/bin/backup --pull
 *         source-address: [10.20.0.0/16, 192.0.2.7]
 *     - name: engineers
 *       roles: [engineer]            # principals default to ["{{username}}"], 1h default, 8h max
 *     - name: hosts
 *       roles: [host]
 *       cert_type: host              # principals are the host's registered names
 *       default_ttl: 7d
 *       max_ttl: 30d
 * }</pre>
 */
package dev.keyward.ca.policy;
