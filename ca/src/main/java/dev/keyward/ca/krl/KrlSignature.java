package dev.keyward.ca.krl;

/**
 * A KRL_SECTION_SIGNATURE (PROTOCOL.krl section 6) as found in a parsed KRL: the signing key's blob and the
 * signature. Recorded, not verified: OpenSSH 9.4 and later refuse KRLs that carry signatures, so Keyward never
 * writes or installs them (see {@link Krl#parseForInstall}).
 */
public record KrlSignature(byte[] keyBlob, byte[] signature) {
    public KrlSignature {
        keyBlob = keyBlob.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] keyBlob() {
        return keyBlob.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }
}
