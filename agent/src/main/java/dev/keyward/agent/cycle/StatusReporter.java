package dev.keyward.agent.cycle;

import dev.keyward.agent.client.AgentClient;
import dev.keyward.agent.protocol.StatusReport;
import dev.keyward.agent.usage.UsageSource;
import dev.keyward.ca.Sha256;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.krl.Krl;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Sends the agent's status report ({@link StatusReport}) when it differs from the last one the server took: the
 * agent's version, its usage source, flagged log records, and the trust and KRL versions installed.
 */
final class StatusReporter {
    private final StatusStore store;

    StatusReporter(StatusStore store) {
        this.store = store;
    }

    /** The report as things are now. */
    static StatusReport report(UsageSource usage, ReportState rs, AgentStatus status, Optional<Krl> krl) {
        return new StatusReport(StatusReport.AGENT_VERSION, usage.kind().wire(), usage.detail(), rs.flagged(),
                rs.lastFlagged(), status.trustVersion() < 0 ? null : status.trustVersion(),
                krl.map(Krl::version).orElse(null));
    }

    /** Sends {@code report} unless the server took the same one last; a server without the route is warned of once. */
    void send(AgentClient client, StatusReport report, List<String> notes, List<String> warnings) throws IOException {
        ReportState rs = store.loadReport();
        String hash = Sha256.hex(Json.write(report));
        if (hash.equals(rs.reportedHash())) {
            return;
        }
        if (client.status(report)) {
            store.saveReport(store.loadReport().withReported(hash));
            notes.add("status reported: usage source " + report.usageSource() + ", agent " + report.agentVersion());
        } else {
            if (!hash.equals(rs.unsupportedHash())) {
                warnings.add("the server takes no status reports (POST /api/v1/agent/status answered 404: a server"
                        + " older than this agent); it will not show this host's usage source or versions");
            }
            store.saveReport(store.loadReport().withUnsupported(hash));
        }
    }
}
