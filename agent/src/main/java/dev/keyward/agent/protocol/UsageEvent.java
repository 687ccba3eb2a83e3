package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWriter;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonException;


/**
 * One key use (or refused use) seen in sshd's log.
 *
 * @param id            idempotency id: stable for the same log line (hash of host-local source, position and
 *                      line), so a re-sent event is recognised and counted once
 * @param time          RFC 3339 time from the log line (syslog lines without a year get the agent's year)
 * @param account       the account logged into (or tried)
 * @param fingerprint   {@code SHA256:...} of the key (for a certificate: of the certificate's key)
 * @param keyType       sshd's name for it: {@code ED25519}, {@code RSA}, {@code ED25519-CERT}, ...
 * @param certSerial    certificate serial, decimal (uint64), null for plain keys
 * @param keyId         certificate key ID, null for plain keys
 * @param caFingerprint {@code SHA256:...} of the signing CA key, null for plain keys
 * @param sourceIp      client address
 * @param sourcePort    client port, null if the line has none
 * @param kind          {@code accepted}, {@code revoked} or {@code cert_invalid}
 * @param detail        for failures, sshd's reason ({@code expired}, {@code name is not a listed principal},
 *                      the KRL file); empty for accepted logins
 */
public record UsageEvent(String id, String time, String account, String fingerprint, String keyType,
        String certSerial, String keyId, String caFingerprint, String sourceIp, Integer sourcePort, String kind,
        String detail) implements JsonWritable {
    public static UsageEvent fromJson(JsonObject o) throws JsonException {
        return new UsageEvent(o.string("id"), o.string("time"), o.string("account"), o.string("fingerprint"),
                o.string("key_type"), o.string("cert_serial"), o.string("key_id"), o.string("ca_fingerprint"),
                o.string("source_ip"), o.integer("source_port"), o.string("kind"), o.string("detail"));
    }

    /** Null fields are left out (the spool and the wire carry no empty certificate fields for plain keys). */
    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().optional("id", id).optional("time", time).optional("account", account)
                .optional("fingerprint", fingerprint).optional("key_type", keyType).optional("cert_serial", certSerial)
                .optional("key_id", keyId).optional("ca_fingerprint", caFingerprint).optional("source_ip", sourceIp)
                .optional("source_port", sourcePort).optional("kind", kind).optional("detail", detail).endObject();
    }
}
