package dev.keyward.web.service;

import dev.keyward.ca.sign.CaSigner;
import java.util.Objects;

/**
 * The audit key: it signs checkpoints of the audit chain and nothing else (never a certificate, never in the trust
 * bundle or the KRL).
 *
 * @param signer the key, opened from its token (or file)
 * @param keyUri its reference, as configured or created
 */
public record AuditKey(CaSigner signer, String keyUri) implements AutoCloseable {
    public AuditKey {
        Objects.requireNonNull(signer);
        Objects.requireNonNull(keyUri);
    }

    public String fingerprint() {
        return signer.publicKey().fingerprint();
    }

    @Override
    public void close() {
        signer.close();
    }
}
