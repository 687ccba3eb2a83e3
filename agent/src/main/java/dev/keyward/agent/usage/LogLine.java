package dev.keyward.agent.usage;

/**
 * One interesting sshd log line, parsed. Fields a line does not carry are null.
 *
 * @param kind        what the line says
 * @param epochSecond time of the line (the reader's clock for lines without a timestamp)
 * @param pid         sshd's process id from the syslog prefix, -1 without one
 * @param account     user logged into
 * @param sourceIp    client address
 * @param sourcePort  client port, -1 if absent
 * @param keyType     sshd's key type name ({@code ED25519}, {@code RSA-CERT})
 * @param fingerprint {@code SHA256:...} of the (certified) key
 * @param keyId       certificate key ID
 * @param serial      certificate serial, decimal
 * @param caType      CA key type
 * @param caFingerprint {@code SHA256:...} of the CA key
 * @param detail      failure detail: the KRL file for revocations, the reason for invalid certificates
 */
public record LogLine(Kind kind, long epochSecond, int pid, String account, String sourceIp, int sourcePort,
        String keyType, String fingerprint, String keyId, String serial, String caType, String caFingerprint,
        String detail) {

    public enum Kind {
        /** {@code Accepted publickey for USER from IP port N ssh2: TYPE FP [ID .. (serial N) CA TYPE FP]} */
        ACCEPTED,
        /** {@code Failed publickey for ...}: only used to complete the two failure kinds below */
        FAILED,
        /** {@code Authentication key TYPE FP revoked by file F} */
        REVOKED,
        /** {@code Certificate invalid: REASON} */
        CERT_INVALID
    }
}
