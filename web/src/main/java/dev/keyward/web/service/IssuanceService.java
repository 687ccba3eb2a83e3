package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.cert.Validity;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.policy.Decision;
import dev.keyward.ca.policy.Identity;
import dev.keyward.ca.policy.IssuancePolicy;
import dev.keyward.ca.policy.IssueRequest;
import dev.keyward.ca.policy.PolicyViolationException;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.db.CertificateDao;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.IssuedCert;
import dev.keyward.web.db.RevocationDao;
import dev.keyward.web.metrics.ServerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Issues certificates. The policy decides the fields; then, in one transaction, the serial is taken from the
 * database sequence, the certificate is signed with the CA key of its type, and the certificate row and its
 * audit entry are written. The certificate is returned only after that transaction commits, so a certificate
 * that leaves the server is always on record.
 */
public final class IssuanceService {
    private final Database db;
    private final CaKeys keys;
    private final IssuancePolicy policy;
    private final PublicKeyParser parser;
    private final Clock clock;
    private final ServerMetrics metrics;

    public IssuanceService(Database db, CaKeys keys, IssuancePolicy policy, Clock clock, ServerMetrics metrics) {
        this.db = db;
        this.keys = keys;
        this.policy = policy;
        this.parser = PublicKeyParser.withDefaults();
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * A certificate request.
     *
     * @param publicKey  the OpenSSH public-key line to certify
     * @param principals requested principals (empty: the policy's defaults)
     * @param ttl        requested lifetime (empty: the policy's default)
     * @param keyId      requested key ID (only where the policy allows it)
     */
    public record IssueCommand(String publicKey, Optional<List<String>> principals, Optional<Duration> ttl,
            Optional<String> keyId) {
    }

    public IssuedCert issue(Caller caller, CertType type, IssueCommand cmd) {
        long started = System.nanoTime();
        SshPublicKey key = parser.parseLine(cmd.publicKey());
        Identity who = new Identity(caller.username(),
                caller.roles().stream().map(Role::label).collect(Collectors.toSet()), java.util.Set.copyOf(caller.groups()));
        Decision d = policy.decide(who, new IssueRequest(type, key, cmd.principals().orElse(List.of()),
                cmd.ttl().orElse(null), cmd.keyId().orElse(null)), caller.hostPrincipals());
        CaSigner signer = keys.signer(type);
        long caKeyId = keys.keyId(type);
        Instant now = clock.instant();
        long after = now.minus(Validity.DEFAULT_BACKDATE).getEpochSecond();
        long before = after + d.ttl().getSeconds();

        IssuedCert issued = db.transaction(tx -> {
            RevocationDao revocations = new RevocationDao(tx);
            if (revocations.isKeyRevoked(key.fingerprint())) {
                throw new PolicyViolationException("revocations.key", "the public key " + key.fingerprint()
                        + " is revoked; generate a new key pair");
            }
            if (revocations.isKeyIdRevoked(d.keyId())) {
                throw new PolicyViolationException("revocations.key_id", "key ID '" + d.keyId() + "' is revoked, so"
                        + " sshd would refuse this certificate; ask an administrator");
            }
            CertificateDao certs = new CertificateDao(tx);
            long serial = certs.nextSerial();
            Certificate.Builder b = Certificate.builder().key(key).serial(serial).type(type).keyId(d.keyId())
                    .principals(d.principals()).validity(after, before);
            d.criticalOptions().forEach(b::criticalOption);
            d.extensions().forEach(b::extension);
            long signStart = System.nanoTime();
            SignedCertificate signed = CertificateCodec.sign(b.build(), signer);
            metrics.signed(type.label(), Duration.ofNanos(System.nanoTime() - signStart));
            IssuedCert c = new IssuedCert(serial, type, caKeyId, d.keyId(), key.fingerprint(),
                    key.toOpenSshWithoutComment(), caller.username(), caller.tokenId(), d.principals(),
                    Instant.ofEpochSecond(after), Instant.ofEpochSecond(before), now, signed.toOpenSsh(""),
                    Optional.empty(), Optional.empty());
            certs.insert(c);
            new AuditLog(tx).append(caller.actor(), "cert.issue", "serial:" + serial, details(c, d, signer));
            return c;
        });
        metrics.certIssued(type.label(), Duration.ofNanos(System.nanoTime() - started));
        return issued;
    }

    private static Map<String, Object> details(IssuedCert c, Decision d, CaSigner signer) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", c.serial());
        m.put("type", c.type().label());
        m.put("key_id", c.keyId());
        m.put("principals", c.principals());
        m.put("key_fingerprint", c.keyFingerprint());
        m.put("valid_after", c.validAfter().toString());
        m.put("valid_before", c.validBefore().toString());
        m.put("ca_fingerprint", signer.publicKey().fingerprint());
        m.put("critical_options", d.criticalOptions());
        m.put("extensions", List.copyOf(d.extensions()));
        return m;
    }
}
