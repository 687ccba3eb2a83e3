package dev.keyward.web.http;

import dev.keyward.ca.Durations;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.web.db.CaKeyDao.CaKeyRow;
import dev.keyward.web.service.CaKeyLifecycle;
import dev.keyward.web.service.CaKeyStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Response bodies of {@code /ca/keys} (snake_case; absent fields are left out). */
final class CaKeyViews {
    private static final PublicKeyParser LENIENT = new PublicKeyParser(new KeyPolicy(1024));

    private CaKeyViews() {
    }

    /**
     * One CA key. {@code age}, {@code valid_certificates} and {@code in_trust_bundle} come with the listing only.
     */
    record KeyView(long id, String purpose, String state, String fingerprint, String publicKey, String algorithm,
            int bits, String keyUri, String createdAt, String activatedAt, String retiredAt, String trustedUntil,
            String trustEndedAt, String destroyedAt, String revokedAt, String revocationReason, long trustVersion,
            Boolean inTrustBundle, String age, Long validCertificates) {

        static KeyView of(CaKeyRow k) {
            return of(k, null, null);
        }

        static KeyView of(CaKeyRow k, String age, Long valid) {
            SshPublicKey pub = LENIENT.parseLine(k.publicKey());
            return new KeyView(k.id(), k.purpose().label(), k.state().label(), k.fingerprint(), k.publicKey(),
                    pub.type().sshName(), pub.bits(), k.keyUri(), k.createdAt().toString(), s(k.activatedAt()),
                    s(k.retiredAt()), s(k.trustedUntil()), s(k.trustEndedAt()), s(k.destroyedAt()), s(k.revokedAt()),
                    k.revocationReason().orElse(null), k.trustVersion(), k.trusted(), age, valid);
        }

        private static String s(Optional<Instant> t) {
            return t.map(Instant::toString).orElse(null);
        }
    }

    /** The rotation's progress for one purpose ({@link CaKeyStatus.Progress}). */
    record ProgressView(String purpose, long key, int enrolledHosts, int current, List<String> lagging, int notSeen,
            String summary) {
    }

    /** {@code GET /ca/keys}. */
    record StatusView(long trustVersion, List<KeyView> keys, List<ProgressView> progress) {
        static StatusView of(CaKeyStatus.Status s) {
            return new StatusView(s.trustVersion(), s.keys().stream().map(k -> KeyView.of(k.key(),
                    Durations.format(k.age().withNanos(0)), k.validCertificates())).toList(),
                    s.progress().stream().map(p -> new ProgressView(p.purpose().label(), p.keyId(), p.enrolled(),
                            p.current(), p.lagging(), p.notSeen(), p.summary())).toList());
        }
    }

    /** {@code POST /ca/keys/{id}/revoke}: the revoked key, the key that signs now (if it was active), the KRL version. */
    record RevokedView(KeyView key, KeyView replacement, long krlVersion) {
        static RevokedView of(CaKeyLifecycle.Revoked r) {
            return new RevokedView(KeyView.of(r.key()), r.replacement().map(KeyView::of).orElse(null), r.krlVersion());
        }
    }
}
