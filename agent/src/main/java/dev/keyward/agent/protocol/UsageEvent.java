package dev.keyward.agent.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One key use (or refused use) seen in sshd's log.
 *
 * @param id            idempotency id: stable for the same log line (hash of host-local source, position and
 *                      line), so a re-sent event is recognised and counted once
 * @param time          RFC 3339 time from the log line (syslog lines without a year get the agent's year)
 * @param account       the account logged into (or tried)
 * @param fingerprint   {@code SHA256:...} of the key (for a certificate: of the certificate's key)
 * @param keyType       sshd's name for it: {@code ED25519}, {@code RSA}, {@code ED25519-CERT}, ...
 * @param certSerial    certificate serial, decimal (uint64), null for plain keys
 * @param keyId         certificate key ID, null for plain keys
 * @param caFingerprint {@code SHA256:...} of the signing CA key, null for plain keys
 * @param sourceIp      client address
 * @param sourcePort    client port, null if the line has none
 * @param kind          {@code accepted}, {@code revoked} or {@code cert_invalid}
 * @param detail        for failures, sshd's reason ({@code expired}, {@code name is not a listed principal},
 *                      the KRL file); empty for accepted logins
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageEvent(String id, String time, String account, String fingerprint, String keyType,
        String certSerial, String keyId, String caFingerprint, String sourceIp, Integer sourcePort, String kind,
        String detail) {
}
