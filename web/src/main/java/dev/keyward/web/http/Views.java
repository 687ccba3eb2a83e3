package dev.keyward.web.http;

import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.SshSig;
import dev.keyward.web.audit.AuditEntry;
import dev.keyward.web.audit.AuditReport;
import dev.keyward.web.audit.Checkpoint;
import dev.keyward.web.audit.CheckpointSummary;
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

    /**
     * {@code GET /audit/verify}: {@code first_bad_seq} and {@code problem} repeat the first of {@code problems} (the
     * chain's own break first).
     */
    record VerifyView(boolean ok, long entries, long headSeq, String headHash, Long firstBadSeq, String problem,
            List<ProblemView> problems, CheckpointsView checkpoints, List<String> notes) {

        static VerifyView of(AuditReport r) {
            List<ProblemView> problems = r.problems().stream()
                    .map(p -> new ProblemView(p.kind(), p.seq().orElse(null), p.message())).toList();
            ProblemView first = problems.isEmpty() ? null : problems.get(0);
            CheckpointSummary c = r.checkpoints();
            return new VerifyView(r.ok(), r.chain().entries(), r.chain().headSeq(), r.chain().headHash(),
                    first == null ? null : first.seq(), first == null ? null : first.message(), problems,
                    new CheckpointsView(c.auditKey(), c.sources(), c.verified(), c.superseded(),
                            c.newest().map(Checkpoint::seq).orElse(null),
                            c.newest().map(n -> n.time().toString()).orElse(null)),
                    r.notes());
        }
    }

    /** One problem: kind {@code chain}, {@code truncated}, {@code rewritten}, {@code bad_signature}, ... */
    record ProblemView(String kind, Long seq, String message) {
    }

    record CheckpointsView(List<String> auditKey, List<String> sources, int verified, int superseded, Long newestSeq,
            String newestTime) {
    }

    /** {@code GET /audit/key}: the audit key's public half, and an allowed_signers line for ssh-keygen -Y verify. */
    record AuditKeyView(String publicKey, String fingerprint, String algorithm, String namespace,
            String allowedSigners) {
        static AuditKeyView of(SshPublicKey key) {
            return new AuditKeyView(key.toOpenSshWithoutComment(), key.fingerprint(), key.type().sshName(),
                    SshSig.AUDIT_CHECKPOINT_NAMESPACE, "keyward-audit namespaces=\"" + SshSig.AUDIT_CHECKPOINT_NAMESPACE
                            + "\" " + key.toOpenSshWithoutComment());
        }
    }

    /** A page of items; next_cursor is absent on the last page. */
    record Page<T>(List<T> items, int limit, String nextCursor) {
    }
}
