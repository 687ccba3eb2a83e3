package dev.keyward.agent.cycle;

import dev.keyward.agent.usage.ReadPosition;
import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.List;

/**
 * What the agent remembers between cycles ({@code <state_dir>/status.json}, 0600).
 *
 * @param server         the server enrolled with (used when agent.conf names none)
 * @param hostId         the server's id for this host
 * @param stateEtag      ETag of the last state document applied in full
 * @param krlEtag        ETag of the installed KRL
 * @param trustVersion   version of the installed trust bundle
 * @param krlVersion     version of the installed KRL (as the state document named it), unsigned 64-bit; null
 *                       before the first state document was applied
 * @param lastAttempt    RFC 3339 time of the last cycle
 * @param lastSuccess    RFC 3339 time of the last cycle without any failure
 * @param lastErrors     what failed in the last cycle
 * @param inventoryHash  hash of the inventory the server acknowledged
 * @param logPosition    where the log follower stopped
 * @param journalCursor  where the journal source stopped
 */
public record AgentStatus(String server, String hostId, String stateEtag, String krlEtag, long trustVersion,
        Long krlVersion, String lastAttempt, String lastSuccess, List<String> lastErrors, String inventoryHash,
        ReadPosition logPosition, String journalCursor) implements JsonWritable {

    public static AgentStatus fromJson(JsonObject o) throws JsonException {
        return new AgentStatus(o.string("server"), o.string("host_id"), o.string("state_etag"), o.string("krl_etag"),
                o.longValue("trust_version"), krlVersion(o), o.string("last_attempt"),
                o.string("last_success"), o.strings("last_errors"), o.string("inventory_hash"),
                o.object("log_position", ReadPosition::fromJson), o.string("journal_cursor"));
    }

    /** Unsigned; an older agent wrote -1 for "none" (and could not hold versions of 2^63 and above). */
    private static Long krlVersion(JsonObject o) throws JsonException {
        return o.asMap().get("krl_version") instanceof Long l && l < 0 ? null : o.unsignedOrNull("krl_version");
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("server", server).field("host_id", hostId).field("state_etag", stateEtag)
                .field("krl_etag", krlEtag).field("trust_version", trustVersion).name("krl_version")
                .any(krlVersion == null ? null : dev.keyward.ca.json.Json.unsigned(krlVersion))
                .field("last_attempt", lastAttempt).field("last_success", lastSuccess).field("last_errors", lastErrors)
                .field("inventory_hash", inventoryHash).field("log_position", logPosition)
                .field("journal_cursor", journalCursor).endObject();
    }

    public static AgentStatus empty() {
        return new AgentStatus(null, null, null, null, -1, null, null, null, List.of(), null, null, null);
    }

    public AgentStatus withEnrollment(String server, String hostId) {
        return new AgentStatus(server, hostId, null, null, trustVersion, krlVersion, lastAttempt, lastSuccess,
                lastErrors, null, logPosition, journalCursor);
    }

    public AgentStatus withState(String etag, long trust, long krl) {
        return new AgentStatus(server, hostId, etag, krlEtag, trust, krl, lastAttempt, lastSuccess, lastErrors,
                inventoryHash, logPosition, journalCursor);
    }

    public AgentStatus withKrlEtag(String etag) {
        return new AgentStatus(server, hostId, stateEtag, etag, trustVersion, krlVersion, lastAttempt, lastSuccess,
                lastErrors, inventoryHash, logPosition, journalCursor);
    }

    public AgentStatus withCycle(String attempt, String success, List<String> errors) {
        return new AgentStatus(server, hostId, stateEtag, krlEtag, trustVersion, krlVersion, attempt,
                success == null ? lastSuccess : success, List.copyOf(errors), inventoryHash, logPosition, journalCursor);
    }

    public AgentStatus withInventoryHash(String hash) {
        return new AgentStatus(server, hostId, stateEtag, krlEtag, trustVersion, krlVersion, lastAttempt, lastSuccess,
                lastErrors, hash, logPosition, journalCursor);
    }

    public AgentStatus withLog(ReadPosition pos, String cursor) {
        return new AgentStatus(server, hostId, stateEtag, krlEtag, trustVersion, krlVersion, lastAttempt, lastSuccess,
                lastErrors, inventoryHash, pos, cursor);
    }
}
