package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.db.CertificateDao;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.IssuedCert;
import dev.keyward.web.db.RevocationDao;
import dev.keyward.web.db.RevocationDao.Kind;
import dev.keyward.web.db.RevocationDao.Revocation;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Revokes certificates (by serial), public keys (everywhere) and key IDs (every certificate carrying one). Each
 * revocation, the KRL version bump and the audit entry commit in one transaction.
 */
public final class RevocationService {
    public static final int MAX_REASON = 1024;

    /** Parses revoked keys leniently (a weak key must still be revocable). */
    private static final PublicKeyParser LENIENT = new PublicKeyParser(new dev.keyward.ca.key.KeyPolicy(1024));

    private final Database db;
    private final Clock clock;
    private final KrlService krl;

    public RevocationService(Database db, Clock clock, KrlService krl) {
        this.db = db;
        this.clock = clock;
        this.krl = krl;
    }

    /** What to revoke: exactly one of publicKey, fingerprint and keyId. */
    public record RevokeRequest(Optional<String> publicKey, Optional<String> fingerprint, Optional<String> keyId,
            String reason) {
    }

    /** The revocation, how many recorded certificates it marked revoked, and the new KRL version. */
    public record RevokeResult(Revocation revocation, int certificatesRevoked, long krlVersion) {
    }

    /** The revoked certificate and the new KRL version (unchanged if it was already revoked). */
    public record CertRevokeResult(IssuedCert certificate, long krlVersion, boolean changed) {
    }

    public CertRevokeResult revokeSerial(Caller actor, long serial, String reason) {
        String why = checkReason(reason);
        Instant now = clock.instant();
        CertRevokeResult r = db.transaction(tx -> {
            CertificateDao certs = new CertificateDao(tx);
            RevocationDao revocations = new RevocationDao(tx);
            IssuedCert before = certs.find(serial)
                    .orElseThrow(() -> new NotFoundException("there is no certificate with serial " + serial));
            if (!certs.revoke(serial, why, now)) {
                return new CertRevokeResult(before, revocations.krlVersion(), false);
            }
            long version = revocations.bumpKrlVersion(now);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("serial", serial);
            d.put("type", before.type().label());
            d.put("key_id", before.keyId());
            d.put("key_fingerprint", before.keyFingerprint());
            d.put("reason", why);
            d.put("krl_version", version);
            new AuditLog(tx).append(actor.actor(), "cert.revoke", "serial:" + serial, d);
            return new CertRevokeResult(certs.find(serial).orElseThrow(), version, true);
        });
        if (r.changed()) {
            krl.invalidate();
        }
        return r;
    }

    public RevokeResult revoke(Caller actor, RevokeRequest req) {
        String why = checkReason(req.reason());
        int given = (req.publicKey().isPresent() ? 1 : 0) + (req.fingerprint().isPresent() ? 1 : 0)
                + (req.keyId().isPresent() ? 1 : 0);
        if (given != 1) {
            throw new InvalidInputException("give exactly one of public_key, fingerprint and key_id");
        }
        Kind kind;
        Optional<String> fingerprint = Optional.empty();
        Optional<String> publicKey = Optional.empty();
        Optional<String> keyId = Optional.empty();
        if (req.publicKey().isPresent()) {
            SshPublicKey key = LENIENT.parseLine(req.publicKey().get());
            kind = Kind.KEY;
            fingerprint = Optional.of(key.fingerprint());
            publicKey = Optional.of(key.toOpenSshWithoutComment());
        } else if (req.fingerprint().isPresent()) {
            kind = Kind.FINGERPRINT;
            fingerprint = Optional.of(checkFingerprint(req.fingerprint().get()));
        } else {
            kind = Kind.KEY_ID;
            keyId = Optional.of(checkKeyId(req.keyId().get()));
        }
        Instant now = clock.instant();
        Optional<String> fp = fingerprint;
        Optional<String> pk = publicKey;
        Optional<String> kid = keyId;
        RevokeResult r = db.transaction(tx -> {
            RevocationDao revocations = new RevocationDao(tx);
            CertificateDao certs = new CertificateDao(tx);
            Revocation rev = revocations.insert(kind, fp, pk, kid, why, actor.actor(), now);
            int n = kind == Kind.KEY_ID ? certs.revokeByKeyId(kid.orElseThrow(), why, now)
                    : certs.revokeByFingerprint(fp.orElseThrow(), why, now);
            long version = revocations.bumpKrlVersion(now);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("id", rev.id());
            d.put("kind", kind.label());
            fp.ifPresent(v -> d.put("key_fingerprint", v));
            kid.ifPresent(v -> d.put("key_id", v));
            d.put("reason", why);
            d.put("certificates_revoked", n);
            d.put("krl_version", version);
            new AuditLog(tx).append(actor.actor(), "revocation.create", "revocation:" + rev.id(), d);
            return new RevokeResult(rev, n, version);
        });
        krl.invalidate();
        return r;
    }

    static String checkReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new InvalidInputException("reason is required (say why, for the audit log)");
        }
        String r = reason.strip();
        if (r.length() > MAX_REASON) {
            throw new InvalidInputException("reason is longer than " + MAX_REASON + " characters");
        }
        if (r.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
            throw new InvalidInputException("reason may not contain control characters");
        }
        return r;
    }

    /** A fingerprint as ssh-keygen prints it: {@code SHA256:} and 43 characters of unpadded base64. */
    static String checkFingerprint(String fp) {
        String f = fp.strip();
        if (!f.startsWith("SHA256:") || f.length() != 7 + 43) {
            throw new InvalidInputException("fingerprint must look like SHA256:<43 base64 characters>, as"
                    + " 'ssh-keygen -lf key.pub' prints it");
        }
        try {
            byte[] d = Base64.getDecoder().decode(f.substring(7) + "=");
            if (d.length != 32) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("fingerprint is not valid base64 after SHA256:");
        }
        return f;
    }

    static String checkKeyId(String keyId) {
        String k = keyId.strip();
        if (k.isEmpty() || k.length() > 255) {
            throw new InvalidInputException("key_id must be 1 to 255 characters");
        }
        if (k.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidInputException("key_id may not contain control characters");
        }
        return k;
    }
}
