package dev.keyward.ca.json;

/** A record that writes itself as one JSON object (its fields in declaration order, snake_case names). */
public interface JsonWritable {
    /** Writes this value as one complete JSON value ({@link JsonWriter#beginObject} to {@link JsonWriter#endObject}). */
    void writeJson(JsonWriter w);
}
