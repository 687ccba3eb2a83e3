package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.List;

/**
 * Answer to an enrollment.
 *
 * @param hostId              the server's id for this host
 * @param credential          the host's bearer credential for {@code /api/v1/agent/*}; shown once, stored hashed
 * @param credentialIssuedAt  RFC 3339 time the credential was issued (null from servers that do not say)
 * @param credentialExpiresAt RFC 3339 time it expires; the agent renews it once two thirds of its life are over
 * @param hostCerts           one OpenSSH host certificate line per host key the server certified
 */
public record EnrollResponse(String hostId, String credential, String credentialIssuedAt, String credentialExpiresAt,
        List<String> hostCerts) implements JsonWritable {
    public static EnrollResponse fromJson(JsonObject o) throws JsonException {
        return new EnrollResponse(o.string("host_id"), o.string("credential"), o.string("credential_issued_at"),
                o.string("credential_expires_at"), o.strings("host_certs"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("host_id", hostId).field("credential", credential)
                .field("credential_issued_at", credentialIssuedAt).field("credential_expires_at", credentialExpiresAt)
                .field("host_certs", hostCerts).endObject();
    }

    /** Without the secret, should it ever end up in a message. */
    @Override
    public String toString() {
        return "EnrollResponse[hostId=" + hostId + ", credential=(not shown), credentialExpiresAt="
                + credentialExpiresAt + ", hostCerts=" + (hostCerts == null ? 0 : hostCerts.size()) + "]";
    }
}
