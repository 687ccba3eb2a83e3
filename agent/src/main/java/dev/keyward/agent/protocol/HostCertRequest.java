package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.List;

/** {@code POST /api/v1/agent/host-certs}: certify (again) these host public keys, one OpenSSH line each. */
public record HostCertRequest(List<String> hostKeys) implements JsonWritable {
    public static HostCertRequest fromJson(JsonObject o) throws JsonException {
        return new HostCertRequest(o.strings("host_keys"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("host_keys", hostKeys).endObject();
    }
}
