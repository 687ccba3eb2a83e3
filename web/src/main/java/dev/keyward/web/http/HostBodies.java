package dev.keyward.web.http;

import dev.keyward.web.service.AgentReportService;
import java.util.List;

/**
 * Request bodies of the host, agent and key routes (snake_case). The agent's side of the contract is
 * {@code dev.keyward.agent.protocol} in the agent module; these records accept exactly what it sends.
 */
final class HostBodies {
    private HostBodies() {
    }

    /** POST /hosts: principals default to [hostname], mode to managed; labels are optional. */
    record CreateHost(String hostname, List<String> principals, String mode, List<String> labels) {
    }

    /** POST /hosts/enroll (the agent's EnrollRequest). */
    record Enroll(String joinToken, String hostname, List<String> hostKeys) {
    }

    /** POST /agent/host-certs (the agent's HostCertRequest). */
    record HostCerts(List<String> hostKeys) {
    }

    /** POST /agent/usage (the agent's UsageBatch). */
    record Usage(List<AgentReportService.UsageIn> events) {
    }

    /** POST /agent/inventory (the agent's InventoryReport). */
    record Inventory(String hash, List<AgentReportService.InventoryIn> keys) {
    }

    /**
     * POST /agent/status (the agent's StatusReport). Fields the server does not know are ignored here, unlike
     * elsewhere: agents report more as they learn more (PROTOCOL-agent.md section 7), and an agent newer than the
     * server must still be heard.
     */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    record AgentStatus(String agentVersion, String usageSource, String usageDetail, Long usageFlagged,
            String usageLastFlagged, Long trustVersion, java.math.BigInteger krlVersion) {
    }

    /** POST /authorized-keys: exactly one of host and host_label. */
    record AddKey(String account, String host, String hostLabel, String publicKey, String comment,
            List<String> options, String expiresAt) {
    }
}
