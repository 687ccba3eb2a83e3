package dev.keyward.ca.cert;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.KeyType;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SshSignatures;
import dev.keyward.ca.wire.SshReader;
import dev.keyward.ca.wire.SshWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Encodes certificates and signs them through a {@link CaSigner}; decodes certificates and verifies the CA
 * signature. The layout is PROTOCOL.certkeys:
 * <pre>
 *   string  cert type name            uint64 valid after
 *   string  nonce                     uint64 valid before
 *   ...     key fields (per type)     string critical options
 *   uint64  serial                    string extensions
 *   uint32  type                      string reserved
 *   string  key id                    string signature key
 *   string  valid principals          string signature  (over everything above)
 * </pre>
 */
public final class CertificateCodec {
    private static final PublicKeyParser LENIENT = new PublicKeyParser(new KeyPolicy(1024));
    /**
     * Largest certificate decoded. sshd sees a certificate only inside one SSH packet (PACKET_MAX_SIZE, 256 KiB), so
     * nothing larger can ever be used; 256 principals of 255 characters need about 66 KiB.
     */
    public static final int MAX_CERT_BYTES = 256 * 1024;

    private CertificateCodec() {
    }

    /** Encodes {@code cert}, signs it with {@code signer} and returns the signed certificate. */
    public static SignedCertificate sign(Certificate cert, CaSigner signer) {
        byte[] caBlob = signer.publicKey().blob();
        byte[] keyFields = cert.key().blobFieldsAfterType();
        SshWriter w = new SshWriter(keyFields.length + caBlob.length + 512);
        w.string(cert.key().type().certName());
        w.string(cert.nonce());
        w.bytes(keyFields);
        w.uint64(cert.serial());
        w.uint32(cert.type().code());
        w.string(cert.keyId());
        SshWriter principals = new SshWriter();
        for (String p : cert.principals()) {
            principals.string(p);
        }
        w.string(principals.toByteArray());
        w.uint64(cert.validAfter());
        w.uint64(cert.validBefore());
        w.string(encodeOptions(cert.criticalOptions()));
        w.string(encodeOptions(cert.extensions()));
        w.string(new byte[0]); // reserved
        w.string(caBlob);
        byte[] tbs = w.toByteArray();
        byte[] signature = signer.sign(tbs);
        w.string(signature);
        return new SignedCertificate(cert, signer.publicKey(), signer.algorithm().sshName(), w.toByteArray());
    }

    /**
     * Options and extensions: a sequence of (string name, string data) sorted by name, where a non-empty
     * value is itself wrapped as a string inside data and flags have empty data.
     */
    static byte[] encodeOptions(Map<String, String> options) {
        SshWriter w = new SshWriter();
        for (Map.Entry<String, String> e : options.entrySet()) {
            w.string(e.getKey());
            if (e.getValue().isEmpty()) {
                w.string(new byte[0]);
            } else {
                w.string(new SshWriter().string(e.getValue()).toByteArray());
            }
        }
        return w.toByteArray();
    }

    /** Decodes a {@code -cert.pub} line and verifies its signature. */
    public static SignedCertificate decodeLine(String line) {
        if (line == null || line.isBlank()) {
            throw new InvalidInputException("certificate is empty");
        }
        if (line.length() > MAX_CERT_BYTES * 2) {
            throw new InvalidInputException("certificate is too long");
        }
        String[] parts = line.strip().split("[ \t]+", 3);
        if (parts.length < 2) {
            throw new InvalidInputException("certificate line needs a type and a base64 blob");
        }
        if (KeyType.fromCertName(parts[0]).isEmpty()) {
            throw new InvalidInputException("'" + (parts[0].length() > 60 ? parts[0].substring(0, 60) : parts[0])
                    + "' is not an OpenSSH certificate type");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("certificate is not valid base64");
        }
        SignedCertificate cert = decode(blob);
        if (!cert.certTypeName().equals(parts[0])) {
            throw new InvalidInputException("certificate line says " + parts[0] + " but the blob is "
                    + cert.certTypeName());
        }
        return cert;
    }

    /**
     * Decodes a certificate blob and verifies the CA signature; throws InvalidInputException if it is bad. Reading is
     * not issuing: whatever OpenSSH's sshkey.c reads is decoded (a key ID with spaces, no principals, unknown options,
     * ...) and what Keyward would not issue is listed in {@link Certificate#warnings()}. Refused, as OpenSSH refuses
     * them: truncation or trailing bytes, an unknown certificate or key type, a type other than user or host, a NUL
     * in the key ID or a principal, more than {@value Certificate#MAX_PRINCIPALS} principals, a CA key that is not a
     * plain key, and a signature that does not verify. Refused although OpenSSH reads them: keys Keyward does not
     * read (DSA, an Ed25519 key that is not a point on the curve, which OpenSSH does not check).
     */
    public static SignedCertificate decode(byte[] blob) {
        if (blob.length > MAX_CERT_BYTES) {
            throw new InvalidInputException("certificate is too long (" + blob.length + " bytes)");
        }
        SshReader r = new SshReader(blob, "certificate");
        String certName = new String(r.string("certificate type"), StandardCharsets.US_ASCII);
        KeyType keyType = KeyType.fromCertName(certName)
                .orElseThrow(() -> new InvalidInputException("unsupported certificate type '" + certName + "'"));
        byte[] nonce = r.string("nonce");
        SshPublicKey subject = readSubjectKey(r, keyType);
        Certificate cert = DecodedCertificates.read(r, nonce, subject);
        SshPublicKey caKey = LENIENT.parseBlob(r.string("signature key"));
        int signedLength = r.position();
        byte[] signature = r.string("signature");
        r.expectEnd();

        SshReader sr = new SshReader(signature, "signature");
        String sigAlg = new String(sr.string("signature algorithm"), StandardCharsets.US_ASCII);
        byte[] tbs = java.util.Arrays.copyOf(blob, signedLength);
        if (!SshSignatures.verify(caKey, tbs, signature)) {
            throw new InvalidInputException("certificate signature does not verify against its CA key "
                    + caKey.fingerprint());
        }
        return new SignedCertificate(cert, caKey, sigAlg, blob);
    }

    private static SshPublicKey readSubjectKey(SshReader r, KeyType keyType) {
        SshWriter w = new SshWriter();
        w.string(keyType.sshName());
        switch (keyType) {
            case ED25519 -> w.string(r.string("Ed25519 key"));
            case SK_ED25519 -> w.string(r.string("Ed25519 key")).string(r.string("application"));
            case ECDSA_P256, ECDSA_P384, ECDSA_P521 -> w.string(r.string("curve")).string(r.string("EC point"));
            case SK_ECDSA_P256 -> w.string(r.string("curve")).string(r.string("EC point")).string(r.string("application"));
            case RSA -> w.string(r.string("RSA exponent")).string(r.string("RSA modulus"));
        }
        return LENIENT.parseBlob(w.toByteArray());
    }
}
