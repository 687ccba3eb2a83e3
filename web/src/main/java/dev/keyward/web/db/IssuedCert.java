package dev.keyward.web.db;

import dev.keyward.ca.cert.CertType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An issued certificate as recorded.
 *
 * @param certificate the OpenSSH certificate line
 */
public record IssuedCert(long serial, CertType type, long caKeyId, String keyId, String keyFingerprint,
        String publicKey, String requester, Optional<Long> tokenId, List<String> principals, Instant validAfter,
        Instant validBefore, Instant issuedAt, String certificate, Optional<Instant> revokedAt,
        Optional<String> revocationReason) {

    public IssuedCert {
        principals = List.copyOf(principals);
    }

    /** active, expired or revoked (revocation wins). */
    public String status(Instant now) {
        if (revokedAt.isPresent()) {
            return "revoked";
        }
        return now.isBefore(validBefore) ? "active" : "expired";
    }
}
