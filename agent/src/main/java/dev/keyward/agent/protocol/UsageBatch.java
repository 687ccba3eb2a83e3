package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.List;

/** {@code POST /api/v1/agent/usage}: a batch of events; the answer acknowledges the ids it stored. */
public record UsageBatch(List<UsageEvent> events) implements JsonWritable {
    public static UsageBatch fromJson(JsonObject o) throws JsonException {
        return new UsageBatch(o.objects("events", UsageEvent::fromJson));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("events", events).endObject();
    }
}
