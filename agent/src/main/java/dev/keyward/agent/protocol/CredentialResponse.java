package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;

/**
 * Answer to a renewal: the new host credential (shown once) and its lifetime. The old credential stays valid
 * until the new one is first used.
 *
 * @param credential the new bearer credential
 * @param issuedAt   RFC 3339 time it was issued
 * @param expiresAt  RFC 3339 time it expires
 */
public record CredentialResponse(String credential, String issuedAt, String expiresAt) implements JsonWritable {
    public static CredentialResponse fromJson(JsonObject o) throws JsonException {
        return new CredentialResponse(o.string("credential"), o.string("issued_at"), o.string("expires_at"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("credential", credential).field("issued_at", issuedAt).field("expires_at", expiresAt)
                .endObject();
    }

    /** Without the secret, should it ever end up in a message. */
    @Override
    public String toString() {
        return "CredentialResponse[credential=(not shown), issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + "]";
    }
}
