package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;

/**
 * {@code POST /api/v1/agent/credential}: a challenge signed with one of the host keys the host enrolled with.
 *
 * @param challenge the challenge from {@link CredentialChallenge}
 * @param hostKey   the public key that signed it (OpenSSH line, as sent at enrollment)
 * @param signature the armored SSH signature ({@code ssh-keygen -Y sign -n host-credential@keyward.dev},
 *                  PROTOCOL.sshsig) over the challenge
 */
public record CredentialRequest(String challenge, String hostKey, String signature) implements JsonWritable {
    public static CredentialRequest fromJson(JsonObject o) throws JsonException {
        return new CredentialRequest(o.string("challenge"), o.string("host_key"), o.string("signature"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("challenge", challenge).field("host_key", hostKey).field("signature", signature)
                .endObject();
    }
}
