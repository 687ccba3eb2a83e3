package dev.keyward.web.service;

import dev.keyward.ca.Durations;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.policy.IssuancePolicy;
import dev.keyward.web.db.Database;
import dev.keyward.web.service.ComplianceReport.Stage;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
    static final String OIDC = "oidc";

    private final Database db;
    private final IssuancePolicy policy;
    private final Instant now;

    CertificateEvidence(Database db, IssuancePolicy policy, Instant now) {
        this.db = db;
        this.policy = policy;
        this.now = now;
    }

    /** A certificate's lifetime, as issued: valid_before - issued_at (only the start is back-dated). */
    private static final String TTL = "extract(epoch FROM c.valid_before - c.issued_at)::bigint";
    private static final String ROLE = "COALESCE(t.role, '" + OIDC + "')";
    private static final String FROM = " FROM certificates c LEFT JOIN api_tokens t ON t.id = c.token_id";

    void add(Stage stage) {
        Instant since = now.minus(ComplianceReports.CERTIFICATE_WINDOW);
        StringBuilder buckets = new StringBuilder();
        for (long b : BUCKETS) {
            buckets.append(", count(*) FILTER (WHERE ").append(TTL).append(" <= ").append(b).append(')');
        }
        // valid_before >= since narrows to the window through its index (a certificate issued since then is valid
        // at least until then)
        List<Map<String, Object>> distribution = db.read(tx -> tx.resultQuery("SELECT c.cert_type, " + ROLE
                        + ", count(*), max(" + TTL + ")" + buckets + FROM
                        + " WHERE c.valid_before >= ?::timestamptz AND c.issued_at >= ?::timestamptz GROUP BY 1, 2 ORDER BY 1, 2",
                        utc(since), utc(since))
                .fetch(r -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("type", r.get(0, String.class));
                    m.put("role", r.get(1, String.class));
                    long count = r.get(2, Long.class);
                    m.put("issued", count);
                    m.put("longest_ttl", Durations.format(Duration.ofSeconds(r.get(3, Long.class))));
                    Map<String, Long> hist = new LinkedHashMap<>();
                    long below = 0;
                    for (int i = 0; i < BUCKETS.length; i++) {
                        long upTo = r.get(4 + i, Long.class);
                        hist.put(BUCKET_NAMES[i], upTo - below);
                        below = upTo;
                    }
                    hist.put(BUCKET_NAMES[BUCKETS.length], count - below);
                    m.put("ttl", hist);
                    return m;
                }));
        List<Map<String, Object>> requesters = db.read(tx -> tx.resultQuery("SELECT c.requester, c.cert_type, count(*)"
                        + FROM + " WHERE c.valid_before >= ?::timestamptz AND c.issued_at >= ?::timestamptz GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"
                        + " LIMIT " + ComplianceReports.topRequesters(), utc(since), utc(since))
                .fetch(r -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("requester", r.get(0, String.class));
                    m.put("type", r.get(1, String.class));
                    m.put("issued", r.get(2, Long.class));
                    return m;
                }));
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
        record Group(String type, String role, long longest, long count) {
        }
        List<Group> groups = db.read(tx -> tx.resultQuery("SELECT c.cert_type, " + ROLE + ", max(" + TTL + "), count(*)"
                        + FROM + " WHERE c.valid_before > ?::timestamptz AND c.revoked_at IS NULL GROUP BY 1, 2",
                        utc(now))
                .fetch(r -> new Group(r.get(0, String.class), r.get(1, String.class), r.get(2, Long.class),
                        r.get(3, Long.class))));
        int total = 0;
        for (Group g : groups) {
            Optional<Duration> limit = policy.longestTtl(CertType.parse(g.type()),
                    g.role().equals(OIDC) ? Optional.empty() : Optional.of(g.role()));
            long max = limit.map(Duration::getSeconds).orElse(0L);
            if (g.longest() <= max) {
                continue;
            }
            record Over(long serial, String requester, String keyId, long ttl, Instant validBefore) {
            }
            List<Over> over = db.read(tx -> tx.resultQuery("SELECT c.serial, c.requester, c.key_id, " + TTL
                            + ", c.valid_before" + FROM + " WHERE c.valid_before > ?::timestamptz AND c.revoked_at IS NULL"
                            + " AND c.cert_type = ? AND " + ROLE + " = ? AND " + TTL + " > ? ORDER BY c.serial",
                            utc(now), g.type(), g.role(), max)
                    .fetch(r -> new Over(r.get(0, Long.class), r.get(1, String.class), r.get(2, String.class),
                            r.get(3, Long.class), r.get(4, java.time.OffsetDateTime.class).toInstant())));
            for (Over o : over) {
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

    private static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
