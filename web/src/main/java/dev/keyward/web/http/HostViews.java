package dev.keyward.web.http;

import dev.keyward.web.db.AgentStatusDao;
import dev.keyward.web.db.AuthorizedKeyDao.StaticKey;
import dev.keyward.web.db.HostDao.Host;
import dev.keyward.web.service.AgentReportService;
import dev.keyward.web.service.HostCredentialService;
import java.time.Instant;
import java.util.List;

/** Response bodies of the host, agent and key routes (snake_case; absent fields left out). */
final class HostViews {
    private HostViews() {
    }

    /**
     * A registered host. {@code credentialExpiresAt} and {@code credentialStatus} ({@code active}, {@code expired},
     * {@code revoked}) describe the credential the host uses, once enrolled; an expired one is fixed by
     * re-enrollment with a new join token.
     */
    record HostView(long id, String hostname, String mode, List<String> principals, List<String> labels,
            String status, String createdBy, String createdAt, String enrolledAt, String lastSeenAt,
            String inventoryHash, String credentialExpiresAt, String credentialStatus, AgentView agent) {

        static HostView of(Host h, HostCredentialService.CredentialState credential, AgentStatusDao.AgentStatus agent) {
            return new HostView(h.id(), h.hostname(), h.mode(), h.principals(), h.labels(),
                    h.enrolledAt().isPresent() ? "enrolled" : "registered", h.createdBy(), h.createdAt().toString(),
                    h.enrolledAt().map(Instant::toString).orElse(null),
                    h.lastSeenAt().map(Instant::toString).orElse(null), h.inventoryHash().orElse(null),
                    credential == null ? null : credential.expiresAt().toString(),
                    credential == null ? null : credential.status(),
                    agent == null ? null : AgentView.of(agent));
        }
    }

    /**
     * What the host's agent last reported about itself. {@code usage_source} {@code none} means no key usage is
     * reported from the host ({@code usage_detail} says why), so its keys' last use says nothing.
     */
    record AgentView(String version, String usageSource, String usageDetail, long usageFlagged,
            String usageLastFlagged, Long trustVersion, java.math.BigInteger krlVersion, String reportedAt) {
        static AgentView of(AgentStatusDao.AgentStatus s) {
            return new AgentView(s.agentVersion().orElse(null), s.usageSource(), s.usageDetail().orElse(null),
                    s.usageFlagged(), s.usageLastFlagged().orElse(null), s.trustVersion().orElse(null),
                    s.krlVersion().orElse(null), s.reportedAt().toString());
        }
    }

    /** The answer to an agent's status report. */
    record AgentStatusAckView(String receivedAt) {
    }

    /** The registered host and its join token: the token appears here once and nowhere else. */
    record CreatedHostView(long id, String hostname, String mode, List<String> principals, List<String> labels,
            String joinToken, String joinTokenExpiresAt) {
    }

    /** The agent's EnrollResponse. */
    record EnrolledView(String hostId, String credential, String credentialIssuedAt, String credentialExpiresAt,
            List<String> hostCerts) {
    }

    /** The agent's CredentialChallenge: what to sign, and the lifetime of the credential that asked. */
    record CredentialChallengeView(String challenge, String expiresAt, String credentialIssuedAt,
            String credentialExpiresAt) {
    }

    /** The agent's CredentialResponse: the renewed credential, shown once. */
    record CredentialView(String credential, String issuedAt, String expiresAt) {
    }

    /** The agent's HostCertResponse. */
    record HostCertsView(List<String> hostCerts) {
    }

    /** The agent's UsageAck, plus what was refused and how many events were new. */
    record UsageAckView(List<String> acknowledged, List<AgentReportService.Rejected> rejected, int stored) {
    }

    /** The agent's InventoryAck, plus the lines left out (absent when every line was kept). */
    record InventoryAckView(String hash, List<AgentReportService.Rejected> rejected) {
    }

    record AuthorizedKeyView(long id, String account, Long hostId, String hostLabel, String publicKey,
            String fingerprint, String keyType, int bits, List<String> options, String comment, String expiresAt,
            String createdBy, String createdAt, String deletedBy, String deletedAt, String status) {

        static AuthorizedKeyView of(StaticKey k, Instant now) {
            String status = k.deletedAt().isPresent() ? "deleted" : k.expiredAt(now) ? "expired" : "active";
            return new AuthorizedKeyView(k.id(), k.account(), k.hostId().orElse(null), k.hostLabel().orElse(null),
                    k.publicKey(), k.fingerprint(), k.keyType(), k.bits(), k.options(), k.comment(),
                    k.expiresAt().map(Instant::toString).orElse(null), k.createdBy(), k.createdAt().toString(),
                    k.deletedBy().orElse(null), k.deletedAt().map(Instant::toString).orElse(null), status);
        }
    }
}
