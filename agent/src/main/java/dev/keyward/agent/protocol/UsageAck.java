package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.List;

/** The ids the server stored (or had stored before): the agent deletes exactly these from its spool. */
public record UsageAck(List<String> acknowledged) implements JsonWritable {
    public static UsageAck fromJson(JsonObject o) throws JsonException {
        return new UsageAck(o.strings("acknowledged"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("acknowledged", acknowledged).endObject();
    }
}
