package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWriter;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonException;

/** The inventory hash the server now holds for this host. */
public record InventoryAck(String hash) implements JsonWritable {
    public static InventoryAck fromJson(JsonObject o) throws JsonException {
        return new InventoryAck(o.string("hash"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("hash", hash).endObject();
    }
}
