package dev.keyward.web.service;

import dev.keyward.ca.Durations;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.policy.IssuancePolicy;
import dev.keyward.web.db.CertificateStatsDao;
import dev.keyward.web.db.Database;
import dev.keyward.web.service.ComplianceReport.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The certificates part of the compliance report (stage active use): the TTL distribution per certificate type and
 * requesting role, issuance per requester (both over {@link ComplianceReports#CERTIFICATE_WINDOW}), and the
 * certificates still valid that live longer than the issuance policy now allows (issued before a policy change).
 * The role is the requesting API token's; certificates requested with an OIDC token (no API token) count as
 * {@code oidc}.
 */
final class CertificateEvidence {
    /** TTL buckets, in seconds: up to 1 h, 8 h, 1 d, 7 d, 30 d, more. */
    private static final long[] BUCKETS = {3600, 8 * 3600, 86400, 7 * 86400, 30 * 86400};
    private static final String[] BUCKET_NAMES = {"<=1h", "<=8h", "<=1d", "<=7d", "<=30d", ">30d"};

    private final Database db;
    private final IssuancePolicy policy;
    private final Instant now;

    CertificateEvidence(Database db, IssuancePolicy policy, Instant now) {
        this.db = db;
        this.policy = policy;
        this.now = now;
    }

    void add(Stage stage) {
        Instant since = now.minus(ComplianceReports.CERTIFICATE_WINDOW);
        List<Map<String, Object>> distribution = db.read(tx -> new CertificateStatsDao(tx).lifetimes(since, BUCKETS))
                .stream().map(g -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("type", g.type());
                    m.put("role", g.role());
                    m.put("issued", g.count());
                    m.put("longest_ttl", Durations.format(Duration.ofSeconds(g.longest())));
                    Map<String, Long> hist = new LinkedHashMap<>();
                    long below = 0;
                    for (int i = 0; i < BUCKETS.length; i++) {
                        hist.put(BUCKET_NAMES[i], g.upTo()[i] - below);
                        below = g.upTo()[i];
                    }
                    hist.put(BUCKET_NAMES[BUCKETS.length], g.count() - below);
                    m.put("ttl", hist);
                    return m;
                }).toList();
        List<Map<String, Object>> requesters = db.read(tx -> new CertificateStatsDao(tx)
                .topRequesters(since, ComplianceReports.topRequesters())).stream().map(r -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("requester", r.requester());
                    m.put("type", r.type());
                    m.put("issued", r.issued());
                    return m;
                }).toList();
        int longer = longerThanPolicy(stage);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("window", Durations.format(ComplianceReports.CERTIFICATE_WINDOW));
        e.put("ttl_by_type_and_role", distribution);
        e.put("issued_by_requester", requesters);
        e.put("valid_longer_than_policy", longer);
        stage.evidence().put("certificates", e);
    }

    /**
     * Adds a finding per valid certificate whose TTL exceeds the longest the policy now gives its type and role;
     * returns how many there are. First the longest valid TTL per (type, role), so that only groups over their limit
     * are read certificate by certificate.
     */
    private int longerThanPolicy(Stage stage) {
        int total = 0;
        for (CertificateStatsDao.TtlGroup g : db.read(tx -> new CertificateStatsDao(tx).valid(now))) {
            Optional<Duration> limit = policy.longestTtl(CertType.parse(g.type()),
                    g.role().equals(CertificateStatsDao.OIDC) ? Optional.empty() : Optional.of(g.role()));
            long max = limit.map(Duration::getSeconds).orElse(0L);
            if (g.longest() <= max) {
                continue;
            }
            List<CertificateStatsDao.LongLived> over = db.read(tx -> new CertificateStatsDao(tx)
                    .validLongerThan(now, g.type(), g.role(), max));
            for (CertificateStatsDao.LongLived o : over) {
                total++;
                if (total > ComplianceReports.listedCertificates()) {
                    continue;
                }
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("serial", o.serial());
                e.put("type", g.type());
                e.put("role", g.role());
                e.put("requester", o.requester());
                e.put("key_id", o.keyId());
                e.put("ttl", Durations.format(Duration.ofSeconds(o.ttl())));
                e.put("policy_max_ttl", limit.map(Durations::format).orElse("none (no rule gives it)"));
                e.put("valid_before", o.validBefore().toString());
                stage.findings().add(ComplianceRules.CERTIFICATE_LONGER_THAN_POLICY.finding("serial:" + o.serial(),
                        g.type() + " certificate " + o.serial() + " (" + o.requester() + ") lives "
                                + Durations.format(Duration.ofSeconds(o.ttl())) + ", longer than the policy now allows ("
                                + limit.map(Durations::format).orElse("no rule gives " + g.type() + " certificates to "
                                        + g.role()) + "); revoke it or let it expire", e));
            }
        }
        return total;
    }
}
