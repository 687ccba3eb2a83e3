package dev.keyward.web.http;

import dev.keyward.web.audit.AuditEntry;
import dev.keyward.web.auth.ApiToken;
import dev.keyward.web.db.IssuedCert;
import dev.keyward.web.db.RevocationDao.Revocation;
import java.time.Instant;
import java.util.List;

/** Response bodies, as on the wire (snake_case; absent fields are left out). */
final class Views {
    private Views() {
    }

    record CertView(long serial, String type, String keyId, List<String> principals, String validAfter,
            String validBefore, String certificate, String keyFingerprint, String requester, String issuedAt,
            String status, String revokedAt, String revocationReason) {

        static CertView of(IssuedCert c, Instant now) {
            return new CertView(c.serial(), c.type().label(), c.keyId(), c.principals(), c.validAfter().toString(),
                    c.validBefore().toString(), c.certificate(), c.keyFingerprint(), c.requester(),
                    c.issuedAt().toString(), c.status(now), c.revokedAt().map(Instant::toString).orElse(null),
                    c.revocationReason().orElse(null));
        }
    }

    record CertRevokedView(CertView certificate, long krlVersion) {
    }

    record RevocationView(long id, String kind, String keyFingerprint, String keyId, String reason, String revokedBy,
            String revokedAt, int certificatesRevoked, long krlVersion) {

        static RevocationView of(Revocation r, int certs, long krlVersion) {
            return new RevocationView(r.id(), r.kind().label(), r.keyFingerprint().orElse(null), r.keyId().orElse(null),
                    r.reason(), r.revokedBy(), r.revokedAt().toString(), certs, krlVersion);
        }
    }

    record TokenView(long id, String name, String role, String username, List<String> principals, String createdBy,
            String createdAt, String expiresAt, String revokedAt, String lastUsedAt, String status) {

        static TokenView of(ApiToken t, Instant now) {
            return new TokenView(t.id(), t.name(), t.role().label(), t.username(), t.principals(), t.createdBy(),
                    t.createdAt().toString(), t.expiresAt().toString(), t.revokedAt().map(Instant::toString).orElse(null),
                    t.lastUsedAt().map(Instant::toString).orElse(null), t.status(now));
        }
    }

    /** The created token: its secret appears here once and nowhere else. */
    record CreatedTokenView(String token, long id, String name, String role, String username, List<String> principals,
            String expiresAt) {
    }

    record AuditView(long seq, String occurredAt, String actor, String action, String subject,
            com.fasterxml.jackson.databind.JsonNode details, String prevHash, String hash) {

        static AuditView of(AuditEntry e) {
            com.fasterxml.jackson.databind.JsonNode d;
            try {
                d = Json.MAPPER.readTree(e.details());
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                // a tampered row may hold anything: show it as text rather than fail the listing
                d = Json.MAPPER.getNodeFactory().textNode(e.details());
            }
            return new AuditView(e.seq(), e.occurredAt().toString(), e.actor(), e.action(), e.subject(), d,
                    e.prevHash(), e.hash());
        }
    }

    record VerifyView(boolean ok, long entries, long headSeq, String headHash, Long firstBadSeq, String problem) {
    }

    /** A page of items; next_cursor is absent on the last page. */
    record Page<T>(List<T> items, int limit, String nextCursor) {
    }
}
