package dev.keyward.web.service;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/agent/state}: what one host should look like, in the shape the agent's
 * {@code dev.keyward.agent.protocol.AgentState} reads (snake_case on the wire). Maps are sorted and lists ordered
 * so that the same state always renders to the same bytes (the ETag is a digest of them).
 */
public record AgentStateDocument(String hostId, String mode, Map<String, AccountState> accounts, Trust trust,
        KrlRef krl, HostCertHints hostCerts) {

    /** Desired keys and the purge list of one account. */
    public record AccountState(List<DesiredKey> keys, List<PurgeEntry> purge) {
    }

    /** A static key: {@code key} is {@code type base64}; options verbatim; expires_at RFC 3339 or absent. */
    public record DesiredKey(String id, List<String> options, String key, String comment, String expiresAt) {
    }

    /** A key to remove wherever the agent finds it for the account; {@code confirmed} skips the bulk guard. */
    public record PurgeEntry(String fingerprint, String reason, boolean confirmed) {
    }

    /**
     * Trusted user CA keys (pending, active, and retired ones until the last certificate they signed expires) and
     * the trust bundle's version ({@code ca_trust_state}).
     */
    public record Trust(List<String> userCaKeys, long version) {
    }

    /** The KRL's version (the agent installs this one or newer), where to get it; sha256 is left out. */
    public record KrlRef(long version, String url, String sha256) {
    }

    /** Renew host certificates now (host CA rotated or a host certificate revoked), and where. */
    public record HostCertHints(boolean renewNow, String url) {
    }
}
