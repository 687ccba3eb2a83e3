/**
 * The agent's wire contract with the Keyward server, as records that serialize to the snake_case JSON of
 * {@code agent/PROTOCOL-agent.md}. Unknown fields are ignored when reading (the server may add fields);
 * absent optional fields are null. The records read and write themselves with the shared strict codec,
 * {@link dev.keyward.ca.json}.
 */
package dev.keyward.agent.protocol;
