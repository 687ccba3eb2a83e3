package dev.keyward.ca.sign;

import dev.keyward.ca.key.SshPublicKey;

/**
 * A CA key that can sign. The private key never leaves the implementation: certificate and KRL code
 * only see the public key, the SSH signature algorithm and {@link #sign(byte[])}.
 * Implementations are thread-safe.
 */
public interface CaSigner extends AutoCloseable {
    /** The CA's public key (what goes into TrustedUserCAKeys or {@code @cert-authority} lines). */
    SshPublicKey publicKey();

    /** The SSH signature algorithm this signer produces, fixed per key type (e.g. rsa-sha2-512 for RSA). */
    SignatureAlgorithm algorithm();

    /**
     * Signs {@code data} and returns the complete SSH signature blob ({@code string alg, string sig},
     * RFC 4253 section 6.6 / RFC 5656 section 3.1.2 / RFC 8332 / RFC 8709).
     */
    byte[] sign(byte[] data);

    /** A human-readable reference, never containing a secret (for logs and errors). */
    String description();

    /**
     * Whether a signature is computed on this host's CPUs, in the calling thread (a software key, or a PKCS#11 soft
     * token such as SoftHSM2, which runs inside the calling process), rather than by a device the calling thread
     * waits for (a PKCS#11 hardware slot: an HSM on the bus, a USB token, a network HSM's client). Issuance sizes its
     * signing threads by it: for the first, more threads than CPUs only contend; for the second, concurrent sessions
     * overlap the device's latency.
     */
    default boolean signsOnHostCpu() {
        return true;
    }

    @Override
    default void close() {
    }
}
