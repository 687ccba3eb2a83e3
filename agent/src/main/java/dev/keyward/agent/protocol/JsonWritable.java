package dev.keyward.agent.protocol;

/** A record that writes itself as one JSON object (its fields in declaration order, snake_case names). */
public interface JsonWritable {
    void writeJson(JsonWriter w);
}
