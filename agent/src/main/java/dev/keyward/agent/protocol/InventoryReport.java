package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.List;

/**
 * {@code POST /api/v1/agent/inventory}: every key found on the host. Sent only when {@code hash} differs from
 * the last one the server acknowledged; the server replaces the host's inventory with this one.
 *
 * @param hash hex SHA-256 over the keys (see PROTOCOL-agent.md); idempotent: the same hash twice is a no-op
 * @param keys the keys, sorted by account, file and line
 */
public record InventoryReport(String hash, List<InventoryKey> keys) implements JsonWritable {
    public static InventoryReport fromJson(JsonObject o) throws JsonException {
        return new InventoryReport(o.string("hash"), o.objects("keys", InventoryKey::fromJson));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("hash", hash).field("keys", keys).endObject();
    }
}
