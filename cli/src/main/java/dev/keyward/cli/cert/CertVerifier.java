package dev.keyward.cli.cert;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * Checks a certificate the server returned before anything is written: it decodes and its signature verifies
 * against the CA key inside it ({@link CertificateCodec#decodeLine}), it is a user certificate, it certifies
 * exactly our public key, it names at least one principal, it is valid now (allowing {@link #CLOCK_SKEW} for a
 * server clock ahead of ours), and it was signed by a CA key that the server publishes at
 * {@code GET /api/v1/ca/user} and that was pinned for this server at the first login ({@link CaPins}).
 */
public final class CertVerifier {
    /** A server clock this far ahead of ours still gives a certificate we accept as valid now. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private CertVerifier() {
    }

    /**
     * @param listed the user CA keys the server publishes now
     * @param pinned the keys pinned for this server; empty on the first login (then {@code listed} is trusted)
     */
    public static SignedCertificate verify(String line, SshPublicKey ours, Collection<SshPublicKey> listed,
            Collection<SshPublicKey> pinned, Instant now) {
        SignedCertificate signed;
        try {
            signed = CertificateCodec.decodeLine(line);
        } catch (InvalidInputException e) {
            throw new CertificateRejectedException("the server returned a certificate that is not valid: "
                    + e.getMessage());
        }
        Certificate c = signed.certificate();
        if (c.type() != CertType.USER) {
            throw new CertificateRejectedException("the server returned a " + c.type().label()
                    + " certificate, not a user certificate");
        }
        if (!c.key().equals(ours)) {
            throw new CertificateRejectedException("the server returned a certificate for another key ("
                    + c.key().fingerprint() + ", ours is " + ours.fingerprint() + ")");
        }
        if (c.principals().isEmpty()) {
            throw new CertificateRejectedException("the server returned a certificate without principals (valid for"
                    + " every user name); refusing it");
        }
        if (!c.warnings().isEmpty()) { // the decoder reads any OpenSSH certificate; the server issues only these
            throw new CertificateRejectedException("the server returned a certificate Keyward would not issue: "
                    + c.warnings().get(0));
        }
        long nowS = now.getEpochSecond();
        if (!c.isValidAt(nowS) && !c.isValidAt(nowS + CLOCK_SKEW.toSeconds())) {
            throw new CertificateRejectedException("the server returned a certificate that is not valid now (valid "
                    + c.validAfterInstant() + " to " + c.validBeforeInstant() + "; check this machine's clock)");
        }
        SshPublicKey ca = signed.caKey();
        if (!listed.contains(ca)) {
            throw new CertificateRejectedException("the certificate was signed by CA key " + ca.fingerprint()
                    + ", which the server does not publish as a user CA key (GET /api/v1/ca/user)");
        }
        if (!pinned.isEmpty() && !pinned.contains(ca)) {
            throw new CertificateRejectedException("the certificate was signed by CA key " + ca.fingerprint()
                    + ", which is not among the user CA keys pinned for this server at your first login ("
                    + CaPins.fingerprints(pinned) + "). If your admins rotated the user CA, check the new fingerprint"
                    + " with them and run keyward login --accept-new-ca");
        }
        return signed;
    }
}
