package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.List;

/**
 * {@code POST /api/v1/hosts/enroll}: trade a one-time join token for a host credential.
 *
 * @param joinToken the token an admin got from {@code POST /api/v1/hosts}
 * @param hostname  the host's name as it sees itself (informational; the server keeps the registered one)
 * @param hostKeys  the host's public keys, one OpenSSH public-key line each
 */
public record EnrollRequest(String joinToken, String hostname, List<String> hostKeys) implements JsonWritable {
    public static EnrollRequest fromJson(JsonObject o) throws JsonException {
        return new EnrollRequest(o.string("join_token"), o.string("hostname"), o.strings("host_keys"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("join_token", joinToken).field("hostname", hostname).field("host_keys", hostKeys)
                .endObject();
    }
}
