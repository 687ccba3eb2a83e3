package dev.keyward.web.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.web.service.Received;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    /** POST /agent/credential (the agent's CredentialRequest): a challenge signed with an enrolled host key. */
    record RenewCredential(String challenge, String hostKey, String signature) {
    }

    /** POST /agent/usage (the agent's UsageBatch); each event is read on its own ({@link #each}). */
    record Usage(List<JsonNode> events) {
    }

    /** POST /agent/inventory (the agent's InventoryReport); each line is read on its own ({@link #each}). */
    record Inventory(String hash, List<JsonNode> keys) {
    }

    /**
     * Reads each element of a report as {@code type} on its own, so that one element that does not fit (a wrong
     * type, a number out of range, unstorable text where the mapper refuses it) is reported with the reason and
     * its id, while the others are stored. Null for a null list (the service says it is required).
     */
    static <T> List<Received<T>> each(List<JsonNode> nodes, Class<T> type, ObjectMapper mapper, String field) {
        if (nodes == null) {
            return null;
        }
        List<Received<T>> out = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode n = nodes.get(i);
            Optional<String> id = n != null && n.path("id").isTextual() ? Optional.of(n.get("id").textValue())
                    : Optional.empty();
            if (n == null || !n.isObject()) {
                out.add(Received.unreadable(id, "is not a JSON object"));
                continue;
            }
            try {
                out.add(Received.read(mapper.treeToValue(n, type)));
            } catch (JsonProcessingException e) {
                String detail = Json.badRequest(e).getMessage();
                out.add(Received.unreadable(id, detail.replace("field '", "field '" + field + "[" + i + "].")));
            }
        }
        return out;
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
