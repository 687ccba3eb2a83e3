/**
 * One agent cycle (fetch and validate the desired state, install KRL and trust, sync authorized_keys, renew host
 * certificates, reload sshd, report usage and inventory) and the status the agent keeps between cycles.
 */
package dev.keyward.agent.cycle;
