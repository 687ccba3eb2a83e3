package dev.keyward.agent.protocol;

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
