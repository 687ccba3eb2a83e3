package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.List;

/**
 * Answer to an enrollment.
 *
 * @param hostId     the server's id for this host
 * @param credential the host's bearer credential for {@code /api/v1/agent/*}; shown once, stored hashed
 * @param hostCerts  one OpenSSH host certificate line per host key the server certified
 */
public record EnrollResponse(String hostId, String credential, List<String> hostCerts) implements JsonWritable {
    public static EnrollResponse fromJson(JsonObject o) throws JsonException {
        return new EnrollResponse(o.string("host_id"), o.string("credential"), o.strings("host_certs"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("host_id", hostId).field("credential", credential).field("host_certs", hostCerts)
                .endObject();
    }
}
