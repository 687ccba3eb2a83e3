package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.Database;
import java.util.List;

/** The CA public keys that servers and clients should trust (every recorded key of a purpose). */
public final class TrustService {
    private final Database db;

    public TrustService(Database db) {
        this.db = db;
    }

    /** Public-key lines of the CA keys for {@code purpose}, oldest first. */
    public List<String> trustedKeys(CertType purpose) {
        return db.read(dsl -> new CaKeyDao(dsl).all()).stream()
                .filter(k -> k.purpose() == purpose)
                .map(CaKeyDao.CaKeyRow::publicKey)
                .toList();
    }

    /** TrustedUserCAKeys file content: one key per line. */
    public String trustedUserCaKeys() {
        StringBuilder b = new StringBuilder();
        for (String k : trustedKeys(CertType.USER)) {
            b.append(k).append('\n');
        }
        return b.toString();
    }

    /** known_hosts lines: {@code @cert-authority * <key>}. */
    public String knownHostsLines() {
        StringBuilder b = new StringBuilder();
        for (String k : trustedKeys(CertType.HOST)) {
            b.append("@cert-authority * ").append(k).append('\n');
        }
        return b.toString();
    }
}
