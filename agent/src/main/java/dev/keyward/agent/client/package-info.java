/** The agent's HTTP client for the wire contract of {@code PROTOCOL-agent.md} (java.net.http, no other stack). */
package dev.keyward.agent.client;
