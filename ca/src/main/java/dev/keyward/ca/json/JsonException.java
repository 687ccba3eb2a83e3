package dev.keyward.ca.json;

import java.io.IOException;

/**
 * A document that is not JSON (RFC 8259, read strictly), or not the shape a record expects. An {@link IOException},
 * so callers that already treat unreadable input as "change nothing" need no new case.
 */
public final class JsonException extends IOException {
    /** @param message what is wrong and where (a byte offset, or a field's path) */
    public JsonException(String message) {
        super(message);
    }
}
