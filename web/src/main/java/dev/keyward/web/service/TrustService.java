package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.CaKeyDao.CaKeyRow;
import dev.keyward.web.db.CaKeyState;
import dev.keyward.web.db.Database;
import java.util.List;

/**
 * The CA public keys that servers and clients should trust: the trust bundle of a purpose is every pending and
 * active key and every retired key until the last certificate it signed expires (so a rotation never leaves a
 * certificate nobody can check). Destroyed and revoked keys are not in it; revoked host CA keys are listed as
 * {@code @revoked} so that ssh refuses host certificates they signed.
 */
public final class TrustService {
    private final Database db;

    public TrustService(Database db) {
        this.db = db;
    }

    /** Public-key lines of the trusted CA keys for {@code purpose}, oldest first. */
    public List<String> trustedKeys(CertType purpose) {
        return trusted(db.read(dsl -> new CaKeyDao(dsl).all()), purpose);
    }

    /** The trusted keys of {@code purpose} among {@code rows}, oldest first. */
    public static List<String> trusted(List<CaKeyRow> rows, CertType purpose) {
        return rows.stream().filter(k -> k.purpose() == purpose && k.trusted()).map(CaKeyRow::publicKey).toList();
    }

    /** TrustedUserCAKeys file content: one key per line. */
    public String trustedUserCaKeys() {
        StringBuilder b = new StringBuilder();
        for (String k : trustedKeys(CertType.USER)) {
            b.append(k).append('\n');
        }
        return b.toString();
    }

    /**
     * known_hosts lines: {@code @cert-authority * <key>} for each trusted host CA key, then {@code @revoked * <key>}
     * for each revoked one (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT": a revoked CA key is refused, and so is every
     * certificate it signed).
     */
    public String knownHostsLines() {
        List<CaKeyRow> rows = db.read(dsl -> new CaKeyDao(dsl).all());
        StringBuilder b = new StringBuilder();
        for (String k : trusted(rows, CertType.HOST)) {
            b.append("@cert-authority * ").append(k).append('\n');
        }
        for (CaKeyRow k : rows) {
            if (k.purpose() == CertType.HOST && k.state() == CaKeyState.REVOKED) {
                b.append("@revoked * ").append(k.publicKey()).append('\n');
            }
        }
        return b.toString();
    }
}
