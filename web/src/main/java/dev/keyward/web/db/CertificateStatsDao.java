package dev.keyward.web.db;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.jooq.DSLContext;

/**
 * Certificate statistics for the compliance report: lifetimes per type and requesting role, issuance per requester,
 * and certificates still valid that live longer than a limit. The role is the requesting API token's; certificates
 * requested without one (an OIDC token) count as {@link #OIDC}. A lifetime is {@code valid_before - issued_at} (only
 * the start is back-dated).
 */
public final class CertificateStatsDao {
    public static final String OIDC = "oidc";
    private static final String TTL = "extract(epoch FROM c.valid_before - c.issued_at)::bigint";
    private static final String ROLE = "COALESCE(t.role, '" + OIDC + "')";
    private static final String FROM = " FROM certificates c LEFT JOIN api_tokens t ON t.id = c.token_id";

    private final DSLContext tx;

    public CertificateStatsDao(DSLContext tx) {
        this.tx = tx;
    }

    /**
     * Certificates of one type and role.
     *
     * @param upTo for each bucket bound (seconds) asked for, how many lived at most that long
     */
    public record TtlGroup(String type, String role, long count, long longest, long[] upTo) {
    }

    /** A requester and type with the number of certificates issued. */
    public record Requester(String requester, String type, long issued) {
    }

    /** A valid certificate living longer than a limit. */
    public record LongLived(long serial, String requester, String keyId, long ttl, Instant validBefore) {
    }

    /**
     * Lifetimes of the certificates issued since {@code since}, per type and role, counted into {@code buckets}.
     * {@code valid_before >= since} narrows to the window through its index (a certificate issued since then is
     * valid at least until then).
     */
    public List<TtlGroup> lifetimes(Instant since, long[] buckets) {
        StringBuilder b = new StringBuilder();
        for (long upTo : buckets) {
            b.append(", count(*) FILTER (WHERE ").append(TTL).append(" <= ").append(upTo).append(')');
        }
        return tx.resultQuery("SELECT c.cert_type, " + ROLE + ", count(*), max(" + TTL + ")" + b + FROM
                        + " WHERE c.valid_before >= ?::timestamptz AND c.issued_at >= ?::timestamptz"
                        + " GROUP BY 1, 2 ORDER BY 1, 2", utc(since), utc(since))
                .fetch(r -> {
                    long[] upTo = new long[buckets.length];
                    for (int i = 0; i < buckets.length; i++) {
                        upTo[i] = r.get(4 + i, Long.class);
                    }
                    return new TtlGroup(r.get(0, String.class), r.get(1, String.class), r.get(2, Long.class),
                            r.get(3, Long.class), upTo);
                });
    }

    /** The {@code limit} requesters who asked for the most certificates since {@code since}, per type. */
    public List<Requester> topRequesters(Instant since, int limit) {
        return tx.resultQuery("SELECT c.requester, c.cert_type, count(*)" + FROM
                        + " WHERE c.valid_before >= ?::timestamptz AND c.issued_at >= ?::timestamptz"
                        + " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT " + limit, utc(since), utc(since))
                .fetch(r -> new Requester(r.get(0, String.class), r.get(1, String.class), r.get(2, Long.class)));
    }

    /** Unrevoked certificates valid at {@code now}, per type and role: how many, and the longest lifetime. */
    public List<TtlGroup> valid(Instant now) {
        return tx.resultQuery("SELECT c.cert_type, " + ROLE + ", count(*), max(" + TTL + ")" + FROM
                        + " WHERE c.valid_before > ?::timestamptz AND c.revoked_at IS NULL GROUP BY 1, 2", utc(now))
                .fetch(r -> new TtlGroup(r.get(0, String.class), r.get(1, String.class), r.get(2, Long.class),
                        r.get(3, Long.class), new long[0]));
    }

    /** The unrevoked certificates of this type and role valid at {@code now} that live longer than {@code seconds}. */
    public List<LongLived> validLongerThan(Instant now, String type, String role, long seconds) {
        return tx.resultQuery("SELECT c.serial, c.requester, c.key_id, " + TTL + ", c.valid_before" + FROM
                        + " WHERE c.valid_before > ?::timestamptz AND c.revoked_at IS NULL AND c.cert_type = ? AND "
                        + ROLE + " = ? AND " + TTL + " > ? ORDER BY c.serial", utc(now), type, role, seconds)
                .fetch(r -> new LongLived(r.get(0, Long.class), r.get(1, String.class), r.get(2, String.class),
                        r.get(3, Long.class), r.get(4, OffsetDateTime.class).toInstant()));
    }

    private static OffsetDateTime utc(Instant t) {
        return TokenDao.utc(t);
    }
}
