package dev.keyward.agent.protocol;

import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;

/**
 * {@code POST /api/v1/agent/status}: what the agent runs and has installed, sent when any of it changed. The server
 * shows it on the host ({@code GET /api/v1/hosts}). Fields are added over time (the server ignores fields it does
 * not know in this report); each is optional on the server's side.
 *
 * @param agentVersion     the agent's version ({@code 0.1.0})
 * @param usageSource      where usage is read: {@code file}, {@code journal} or {@code none}
 * @param usageDetail      the log file or journal command; for {@code none}, why there is no source
 * @param usageFlagged     log records that looked like sshd's logins but were not written by sshd, since the
 *                         agent's state directory was made: never reported as usage
 * @param usageLastFlagged the last such record, described ({@code <time> pid N (<binary>): accepted publickey for
 *                         ...}); null if none
 * @param trustVersion     version of the trusted user CA keys installed (of the last state document applied in
 *                         full); null before the first
 * @param krlVersion       version of the KRL installed (unsigned 64-bit); null when none is
 */
public record StatusReport(String agentVersion, String usageSource, String usageDetail, long usageFlagged,
        String usageLastFlagged, Long trustVersion, Long krlVersion) implements JsonWritable {
    /** This agent's version. */
    public static final String AGENT_VERSION = "0.1.0";

    public static StatusReport fromJson(JsonObject o) throws JsonException {
        Long trust = o.asMap().get("trust_version") == null ? null : o.longValue("trust_version");
        return new StatusReport(o.string("agent_version"), o.string("usage_source"), o.string("usage_detail"),
                o.longValue("usage_flagged"), o.string("usage_last_flagged"), trust, o.unsignedOrNull("krl_version"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("agent_version", agentVersion).field("usage_source", usageSource)
                .field("usage_detail", usageDetail).field("usage_flagged", usageFlagged)
                .field("usage_last_flagged", usageLastFlagged).name("trust_version").any(trustVersion)
                .name("krl_version").any(krlVersion == null ? null : Json.unsigned(krlVersion)).endObject();
    }
}
