package dev.keyward.agent.protocol;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.util.Map;

/**
 * {@code GET /api/v1/agent/state}: what this host should look like.
 *
 * @param hostId    the host's id (for messages)
 * @param mode      {@code report-only}, {@code managed} or {@code exclusive}
 * @param accounts  desired keys and purge list per local account name; accounts not listed are not managed
 * @param trust     trusted user CA keys and their version
 * @param krl       the current KRL's version and where to fetch it
 * @param hostCerts hints for host certificate renewal; may be null
 */
public record AgentState(String hostId, String mode, Map<String, AccountState> accounts, Trust trust, KrlRef krl,
        HostCertHints hostCerts) implements JsonWritable {

    public static AgentState fromJson(JsonObject o) throws JsonException {
        return new AgentState(o.string("host_id"), o.string("mode"), o.objectMap("accounts", AccountState::fromJson),
                o.object("trust", Trust::fromJson), o.object("krl", KrlRef::fromJson),
                o.object("host_certs", HostCertHints::fromJson));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("host_id", hostId).field("mode", mode).name("accounts").any(accounts)
                .field("trust", trust).field("krl", krl).field("host_certs", hostCerts).endObject();
    }

    /**
     * @param keys  the keys the account may use (static keys, service accounts)
     * @param purge keys to remove wherever the agent finds them for this account
     */
    public record AccountState(java.util.List<DesiredKey> keys, java.util.List<PurgeEntry> purge)
            implements JsonWritable {
        public static AccountState fromJson(JsonObject o) throws JsonException {
            return new AccountState(o.objects("keys", DesiredKey::fromJson), o.objects("purge", PurgeEntry::fromJson));
        }

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject().field("keys", keys).field("purge", purge).endObject();
        }
    }

    /**
     * One desired key. Either {@code line} (a full authorized_keys line, options included) or {@code key}
     * ({@code type base64}) with optional {@code options} and {@code comment}.
     *
     * @param id        the server's id for this key (its authorized-key record)
     * @param line      a complete authorized_keys line, if the server sends it that way
     * @param options   authorized_keys options, each verbatim ({@code from="10.0.0.0/8"}, {@code no-pty})
     * @param key       {@code type base64}
     * @param comment   the comment written after the key
     * @param expiresAt RFC 3339 instant after which the key is no longer written (and is removed); null = never
     */
    public record DesiredKey(String id, String line, java.util.List<String> options, String key, String comment,
            String expiresAt) implements JsonWritable {
        public static DesiredKey fromJson(JsonObject o) throws JsonException {
            return new DesiredKey(o.string("id"), o.string("line"), o.strings("options"), o.string("key"),
                    o.string("comment"), o.string("expires_at"));
        }

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject().field("id", id).field("line", line).field("options", options).field("key", key)
                    .field("comment", comment).field("expires_at", expiresAt).endObject();
        }
    }

    /**
     * @param fingerprint {@code SHA256:...} of the key to remove
     * @param reason      why ({@code revoked}, {@code expired}, {@code unused}, {@code deleted}); for messages
     * @param confirmed   an admin confirmed this purge: it is exempt from the bulk-purge guard
     */
    public record PurgeEntry(String fingerprint, String reason, boolean confirmed) implements JsonWritable {
        public static PurgeEntry fromJson(JsonObject o) throws JsonException {
            return new PurgeEntry(o.string("fingerprint"), o.string("reason"), o.bool("confirmed"));
        }

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject().field("fingerprint", fingerprint).field("reason", reason).field("confirmed", confirmed)
                    .endObject();
        }
    }

    /**
     * @param userCaKeys public-key lines of every user CA key sshd should trust (active, pending and retired)
     * @param version    rises whenever the set changes
     */
    public record Trust(java.util.List<String> userCaKeys, long version) implements JsonWritable {
        public static Trust fromJson(JsonObject o) throws JsonException {
            return new Trust(o.strings("user_ca_keys"), o.longValue("version"));
        }

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject().field("user_ca_keys", userCaKeys).field("version", version).endObject();
        }
    }

    /**
     * @param version the KRL's version number (the one inside the KRL): unsigned 64-bit, as PROTOCOL.krl's
     *                {@code krl_version}; compare with {@link Long#compareUnsigned}
     * @param url     where to GET it, relative to the server ({@code /api/v1/krl})
     * @param sha256  hex SHA-256 of the KRL bytes, checked after download; may be null
     */
    public record KrlRef(long version, String url, String sha256) implements JsonWritable {
        public static KrlRef fromJson(JsonObject o) throws JsonException {
            return new KrlRef(o.unsignedLong("version"), o.string("url"), o.string("sha256"));
        }

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject().unsignedField("version", version).field("url", url).field("sha256", sha256).endObject();
        }
    }

    /**
     * @param renewNow  renew every host certificate in this cycle, due or not (e.g. after a host CA rotation)
     * @param url       the renewal endpoint ({@code /api/v1/agent/host-certs})
     */
    public record HostCertHints(boolean renewNow, String url) implements JsonWritable {
        public static HostCertHints fromJson(JsonObject o) throws JsonException {
            return new HostCertHints(o.bool("renew_now"), o.string("url"));
        }

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject().field("renew_now", renewNow).field("url", url).endObject();
        }
    }
}
