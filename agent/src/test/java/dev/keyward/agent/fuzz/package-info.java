/**
 * Jazzer fuzz targets ({@code @FuzzTest}) for what the agent reads from outside itself: sshd's log lines (syslog
 * files in both stamp forms, and the journal's JSON), the server's desired-state document, and the authorized_keys
 * files of local users. Seeds: {@code src/test/resources/dev/keyward/agent/fuzz/<Class>Inputs/<method>/};
 * {@code scripts/fuzz} fuzzes them.
 */
package dev.keyward.agent.fuzz;
