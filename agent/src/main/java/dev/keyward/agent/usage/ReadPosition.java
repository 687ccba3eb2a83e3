package dev.keyward.agent.usage;

import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWriter;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonException;


/**
 * Where the follower stopped: the file's identity and the offset of the first byte not yet consumed (the start
 * of a line). {@code generation} rises on each truncation, so event ids from before and after one differ.
 *
 * @param dev        device of the file
 * @param ino        inode of the file
 * @param offset     bytes consumed
 * @param generation truncations seen for this inode
 */
public record ReadPosition(long dev, long ino, long offset, long generation) implements JsonWritable {
    public static ReadPosition fromJson(JsonObject o) throws JsonException {
        return new ReadPosition(o.longValue("dev"), o.longValue("ino"), o.longValue("offset"), o.longValue("generation"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("dev", dev).field("ino", ino).field("offset", offset).field("generation", generation)
                .endObject();
    }
}
