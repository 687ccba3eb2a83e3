package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.List;

/**
 * One key line found in an authorized_keys file.
 *
 * @param account     the account the file grants access to
 * @param file        host path of the file
 * @param line        1-based line number
 * @param source      {@code user} (the account's own ~/.ssh/authorized_keys) or {@code keyward} (written by the agent)
 * @param type        key type as written ({@code ssh-ed25519}, {@code ssh-dss}, ...)
 * @param bits        key size, -1 if unknown
 * @param fingerprint {@code SHA256:...}
 * @param comment     the comment, possibly empty
 * @param options     options, each verbatim
 * @param problem     why Keyward's key policy would refuse the key (weak, unknown type), empty if none
 */
public record InventoryKey(String account, String file, int line, String source, String type, int bits,
        String fingerprint, String comment, List<String> options, String problem) implements JsonWritable {
    public static InventoryKey fromJson(JsonObject o) throws JsonException {
        return new InventoryKey(o.string("account"), o.string("file"), o.intValue("line"), o.string("source"),
                o.string("type"), o.intValue("bits"), o.string("fingerprint"), o.string("comment"),
                o.strings("options"), o.string("problem"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("account", account).field("file", file).field("line", line).field("source", source)
                .field("type", type).field("bits", bits).field("fingerprint", fingerprint).field("comment", comment)
                .field("options", options).field("problem", problem).endObject();
    }
}
