package dev.keyward.ca.cert;

import dev.keyward.ca.key.SshPublicKey;
import java.util.Base64;

/**
 * A certificate with its CA key and signature, plus its exact encoding (the blob that goes after the
 * certificate type in a {@code -cert.pub} line). Produced by {@link CertificateCodec}.
 */
public record SignedCertificate(Certificate certificate, SshPublicKey caKey, String signatureAlgorithm,
        byte[] encoded) {

    public SignedCertificate {
        encoded = encoded.clone();
    }

    @Override
    public byte[] encoded() {
        return encoded.clone();
    }

    /** The certificate type string, e.g. {@code ecdsa-sha2-nistp256-cert-v01@openssh.com}. */
    public String certTypeName() {
        return certificate.key().type().certName();
    }

    /** The {@code -cert.pub} line: {@code <cert type> <base64>[ <comment>]}. */
    public String toOpenSsh(String comment) {
        String line = certTypeName() + " " + Base64.getEncoder().encodeToString(encoded);
        return comment == null || comment.isEmpty() ? line : line + " " + comment;
    }

    public String toOpenSsh() {
        return toOpenSsh(certificate.key().comment());
    }

    /** SHA256 fingerprint of the certified (subject) key, as sshd logs it. */
    public String keyFingerprint() {
        return certificate.key().fingerprint();
    }
}
