package dev.keyward.agent.protocol;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
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
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AgentState(String hostId, String mode, Map<String, AccountState> accounts, Trust trust, KrlRef krl,
        HostCertHints hostCerts) {

    /**
     * @param keys  the keys the account may use (static keys, service accounts)
     * @param purge keys to remove wherever the agent finds them for this account
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AccountState(java.util.List<DesiredKey> keys, java.util.List<PurgeEntry> purge) {
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
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DesiredKey(String id, String line, java.util.List<String> options, String key, String comment,
            String expiresAt) {
    }

    /**
     * @param fingerprint {@code SHA256:...} of the key to remove
     * @param reason      why ({@code revoked}, {@code expired}, {@code unused}, {@code deleted}); for messages
     * @param confirmed   an admin confirmed this purge: it is exempt from the bulk-purge guard
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PurgeEntry(String fingerprint, String reason, boolean confirmed) {
    }

    /**
     * @param userCaKeys public-key lines of every user CA key sshd should trust (active, pending and retired)
     * @param version    rises whenever the set changes
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Trust(java.util.List<String> userCaKeys, long version) {
    }

    /**
     * @param version the KRL's version number (the one inside the KRL)
     * @param url     where to GET it, relative to the server ({@code /api/v1/krl})
     * @param sha256  hex SHA-256 of the KRL bytes, checked after download; may be null
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record KrlRef(long version, String url, String sha256) {
    }

    /**
     * @param renewNow  renew every host certificate in this cycle, due or not (e.g. after a host CA rotation)
     * @param url       the renewal endpoint ({@code /api/v1/agent/host-certs})
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record HostCertHints(boolean renewNow, String url) {
    }
}
