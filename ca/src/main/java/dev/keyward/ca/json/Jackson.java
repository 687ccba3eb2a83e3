package dev.keyward.ca.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

/** This package's one jackson-core factory (thread-safe: every parser and generator comes from it). */
final class Jackson {
    static final JsonFactory FACTORY = JsonFactory.builder()
            // RFC 8259 section 4 leaves duplicate names to the reader: one the server did not mean is refused, not guessed at
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(Json.MAX_DEPTH)
                    .maxNumberLength(Json.MAX_NUMBER_DIGITS)
                    .maxDocumentLength(Json.MAX_BYTES)
                    // strings and names: no limit below the document's own
                    .maxStringLength(Json.MAX_BYTES)
                    .maxNameLength(Json.MAX_BYTES)
                    .build())
            // names are compared with equals(): account names need no place in the JVM's string table
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            // The bytes written are fixed (the inventory hash is taken over them, and old spool and status files hold
            // them): these are Jackson 2's defaults, stated so that a new default cannot change them.
            .enable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .disable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
            .disable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    private Jackson() {
    }
}
