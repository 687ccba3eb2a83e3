package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;

/**
 * Answer to {@code POST /api/v1/agent/credential/challenge}: what to sign to renew the host credential.
 *
 * @param challenge           single use, bound to this host; signed as is (ASCII, no line break)
 * @param expiresAt           RFC 3339 time after which the challenge is refused
 * @param credentialIssuedAt  when the credential that asked was issued
 * @param credentialExpiresAt when it expires (an agent that enrolled before it tracked expiry learns it here)
 */
public record CredentialChallenge(String challenge, String expiresAt, String credentialIssuedAt,
        String credentialExpiresAt) implements JsonWritable {
    public static CredentialChallenge fromJson(JsonObject o) throws JsonException {
        return new CredentialChallenge(o.string("challenge"), o.string("expires_at"), o.string("credential_issued_at"),
                o.string("credential_expires_at"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("challenge", challenge).field("expires_at", expiresAt)
                .field("credential_issued_at", credentialIssuedAt).field("credential_expires_at", credentialExpiresAt)
                .endObject();
    }
}
