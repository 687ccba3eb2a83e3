package dev.keyward.web.http;

import dev.keyward.web.db.AuthorizedKeyDao.StaticKey;
import dev.keyward.web.db.HostDao.Host;
import dev.keyward.web.service.AgentReportService;
import java.time.Instant;
import java.util.List;

/** Response bodies of the host, agent and key routes (snake_case; absent fields left out). */
final class HostViews {
    private HostViews() {
    }

    record HostView(long id, String hostname, String mode, List<String> principals, List<String> labels,
            String status, String createdBy, String createdAt, String enrolledAt, String lastSeenAt,
            String inventoryHash) {

        static HostView of(Host h) {
            return new HostView(h.id(), h.hostname(), h.mode(), h.principals(), h.labels(),
                    h.enrolledAt().isPresent() ? "enrolled" : "registered", h.createdBy(), h.createdAt().toString(),
                    h.enrolledAt().map(Instant::toString).orElse(null),
                    h.lastSeenAt().map(Instant::toString).orElse(null), h.inventoryHash().orElse(null));
        }
    }

    /** The registered host and its join token: the token appears here once and nowhere else. */
    record CreatedHostView(long id, String hostname, String mode, List<String> principals, List<String> labels,
            String joinToken, String joinTokenExpiresAt) {
    }

    /** The agent's EnrollResponse. */
    record EnrolledView(String hostId, String credential, List<String> hostCerts) {
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
