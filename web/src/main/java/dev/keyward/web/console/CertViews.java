package dev.keyward.web.console;

import dev.keyward.web.db.IssuedCert;
import java.time.Instant;
import java.util.List;

/** What the certificate pages show. */
public final class CertViews {
    private CertViews() {
    }

    /** One certificate as a row and on its page. */
    public record Row(long serial, String type, String keyId, String principals, String requester, String issuedAt,
            String validAfter, String validBefore, String status, String fingerprint, String revokedAt,
            String revocationReason, String certificate) {

        static Row of(IssuedCert c, Instant now) {
            return new Row(c.serial(), c.type().label(), c.keyId(), String.join(", ", c.principals()), c.requester(),
                    Display.time(c.issuedAt()), Display.time(c.validAfter()), Display.time(c.validBefore()),
                    c.status(now), c.keyFingerprint(), Display.time(c.revokedAt()), c.revocationReason().orElse(""),
                    c.certificate());
        }

        public String href() {
            return "/certificates/" + serial;
        }
    }

    /** The list: the filters as given, a page of rows, the next page's link (null on the last). */
    public record ListView(String status, String principal, String requester, List<Row> rows, String next,
            long krlVersion) {
    }

    /**
     * One certificate. {@code revokedNow}: the KRL version the revocation just produced (0 when the page is not the
     * answer to a revocation).
     */
    public record Detail(Row cert, long krlVersion, long revokedNow, boolean canRevoke) {
    }
}
