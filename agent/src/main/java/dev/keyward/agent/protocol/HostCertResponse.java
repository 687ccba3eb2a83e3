package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.List;

/** Answer to a renewal: one OpenSSH host certificate line per requested key the server certified. */
public record HostCertResponse(List<String> hostCerts) implements JsonWritable {
    public static HostCertResponse fromJson(JsonObject o) throws JsonException {
        return new HostCertResponse(o.strings("host_certs"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("host_certs", hostCerts).endObject();
    }
}
