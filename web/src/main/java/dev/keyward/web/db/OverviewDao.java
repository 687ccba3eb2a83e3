package dev.keyward.web.db;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jooq.DSLContext;

/**
 * Counts for the console's overview. Each query narrows by {@code valid_before} first, through its index: a
 * certificate issued or revoked since {@code since} is valid at least until then (certificates live hours, so the
 * window holds few rows however long the table is).
 */
public final class OverviewDao {
    private final DSLContext tx;

    public OverviewDao(DSLContext tx) {
        this.tx = tx;
    }

    /** Certificates issued per hour since {@code since}: hour (UTC, truncated) to count, hours without any left out. */
    public Map<Instant, Long> issuedPerHour(Instant since) {
        Map<Instant, Long> m = new LinkedHashMap<>();
        tx.resultQuery("SELECT date_trunc('hour', issued_at), count(*) FROM certificates"
                        + " WHERE valid_before >= ?::timestamptz AND issued_at >= ?::timestamptz GROUP BY 1 ORDER BY 1",
                        utc(since), utc(since))
                .forEach(r -> m.put(r.get(0, OffsetDateTime.class).toInstant(), r.get(1, Long.class)));
        return m;
    }

    /** Certificates revoked since {@code since}. */
    public long revokedSince(Instant since) {
        return tx.resultQuery("SELECT count(*) FROM certificates WHERE valid_before >= ?::timestamptz"
                + " AND revoked_at >= ?::timestamptz", utc(since), utc(since)).fetchOne(0, Long.class);
    }

    /** Keys and key IDs revoked everywhere (the revocations table), all time. */
    public long keyRevocations() {
        return tx.resultQuery("SELECT count(*) FROM revocations").fetchOne(0, Long.class);
    }

    /** Hosts registered but not enrolled yet. */
    public long hostsNotEnrolled() {
        return tx.resultQuery("SELECT count(*) FROM hosts WHERE enrolled_at IS NULL").fetchOne(0, Long.class);
    }

    private static OffsetDateTime utc(Instant t) {
        return TokenDao.utc(t);
    }
}
