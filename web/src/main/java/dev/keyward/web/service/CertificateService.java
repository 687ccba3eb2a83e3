package dev.keyward.web.service;

import dev.keyward.web.db.CertQuery;
import dev.keyward.web.db.CertificateDao;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.IssuedCert;
import java.time.Clock;
import java.util.List;

/** Reads issued certificates. */
public final class CertificateService {
    private final Database db;
    private final Clock clock;

    public CertificateService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public IssuedCert get(long serial) {
        return db.read(dsl -> new CertificateDao(dsl).find(serial))
                .orElseThrow(() -> new NotFoundException("there is no certificate with serial " + serial));
    }

    public List<IssuedCert> list(CertQuery q) {
        return db.read(dsl -> new CertificateDao(dsl).list(q, clock.instant()));
    }
}
