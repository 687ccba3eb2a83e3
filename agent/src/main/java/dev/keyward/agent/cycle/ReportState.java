package dev.keyward.agent.cycle;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;

/**
 * What the agent keeps about its reports to the server ({@code <state_dir>/report.json}, 0600): the usage source of
 * the last cycle (to say when it changes), the flagged-record counter, and the hash of the last status report the
 * server took (a report is sent only when it differs).
 *
 * @param usageSource   the last cycle's usage source, as {@code UsageSource#describe}
 * @param flagged       log records flagged as not sshd's, in every cycle since the state directory was made
 * @param lastFlagged   the last one, described
 * @param reportedHash  SHA-256 (hex) of the last status report the server took
 * @param unsupportedHash the hash of a report a server without the route answered 404 to: sent again every cycle,
 *                      warned about once
 */
public record ReportState(String usageSource, long flagged, String lastFlagged, String reportedHash,
        String unsupportedHash) implements JsonWritable {
    public static ReportState empty() {
        return new ReportState(null, 0, null, null, null);
    }

    public static ReportState fromJson(JsonObject o) throws JsonException {
        return new ReportState(o.string("usage_source"), o.longValue("flagged"), o.string("last_flagged"),
                o.string("reported_hash"), o.string("unsupported_hash"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("usage_source", usageSource).field("flagged", flagged)
                .field("last_flagged", lastFlagged).field("reported_hash", reportedHash)
                .field("unsupported_hash", unsupportedHash).endObject();
    }

    public ReportState withUsageSource(String source) {
        return new ReportState(source, flagged, lastFlagged, reportedHash, unsupportedHash);
    }

    public ReportState withFlagged(long more, String last) {
        return more == 0 ? this : new ReportState(usageSource, flagged + more, last, reportedHash, unsupportedHash);
    }

    /** The server took the report with this hash. */
    public ReportState withReported(String hash) {
        return new ReportState(usageSource, flagged, lastFlagged, hash, null);
    }

    /** The server has no status route (404) for the report with this hash. */
    public ReportState withUnsupported(String hash) {
        return new ReportState(usageSource, flagged, lastFlagged, reportedHash, hash);
    }
}
