package dev.keyward.cli.json;

/** The text is not (strict) JSON, or not the shape the caller expected. */
public final class JsonException extends RuntimeException {
    public JsonException(String message) {
        super(message);
    }
}
