package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.HOSTS;

import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * The enrolled hosts as a CA rotation and the compliance report see them: when each was last seen, which trust
 * bundle and KRL versions its agent reports installed, and which CA keys signed its host certificates.
 */
public final class FleetDao {
    private final DSLContext tx;

    public FleetDao(DSLContext tx) {
        this.tx = tx;
    }

    /**
     * An enrolled host.
     *
     * @param trustVersion the trust bundle version its agent reports installed; empty before its first report
     * @param krlVersion   the KRL version its agent reports installed (unsigned 64-bit)
     */
    public record EnrolledHost(long id, String hostname, Optional<Instant> lastSeenAt, Optional<Long> trustVersion,
            Optional<BigInteger> krlVersion) {

        public boolean seenSince(Instant t) {
            return lastSeenAt.isPresent() && !lastSeenAt.get().isBefore(t);
        }
    }

    /**
     * The fleet's health in numbers, for the metrics an operator alerts on (one aggregate query).
     *
     * @param enrolled                 enrolled hosts
     * @param oldestContact            the earliest last contact among them (enrollment for a host not seen since);
     *                                 empty with no host enrolled
     * @param krlBehind                hosts whose agent reports a KRL version older than the current one
     * @param krlChangedAt             when the KRL got its current version
     * @param soonestCredentialExpiry  the earliest expiry of an enrolled host's credential; empty with none
     */
    public record Health(long enrolled, Optional<Instant> oldestContact, long krlBehind, Instant krlChangedAt,
            Optional<Instant> soonestCredentialExpiry) {
    }

    public Health health() {
        return tx.resultQuery("SELECT count(h.id),"
                        + " min(coalesce(h.last_seen_at, h.enrolled_at)),"
                        + " count(h.id) FILTER (WHERE h.agent_krl_version < k.version),"
                        + " k.updated_at,"
                        + " min(t.expires_at)"
                        + " FROM krl_state k LEFT JOIN hosts h ON h.enrolled_at IS NOT NULL"
                        + " LEFT JOIN api_tokens t ON t.id = h.token_id"
                        + " GROUP BY k.updated_at")
                .fetchOne(r -> new Health(r.get(0, Long.class),
                        Optional.ofNullable(r.get(1, OffsetDateTime.class)).map(OffsetDateTime::toInstant),
                        r.get(2, Long.class), r.get(3, OffsetDateTime.class).toInstant(),
                        Optional.ofNullable(r.get(4, OffsetDateTime.class)).map(OffsetDateTime::toInstant)));
    }

    /** Every enrolled host, by hostname. */
    public List<EnrolledHost> enrolledHosts() {
        return tx.select(HOSTS.ID, HOSTS.HOSTNAME, HOSTS.LAST_SEEN_AT, HOSTS.AGENT_TRUST_VERSION, HOSTS.AGENT_KRL_VERSION)
                .from(HOSTS).where(HOSTS.ENROLLED_AT.isNotNull()).orderBy(HOSTS.HOSTNAME)
                .fetch(r -> new EnrolledHost(r.value1(), r.value2(),
                        Optional.ofNullable(r.value3()).map(OffsetDateTime::toInstant), Optional.ofNullable(r.value4()),
                        Optional.ofNullable(r.value5())));
    }

    /**
     * Per enrolled host, the CA key ids that signed the newest host certificate of each of its enrolled host keys
     * (a host whose list holds only the active host CA key has renewed since the last rotation).
     */
    public Map<Long, List<Long>> newestHostCertCaKeys() {
        Map<Long, List<Long>> m = new HashMap<>();
        tx.resultQuery("SELECT DISTINCT ON (hk.host_id, hk.fingerprint) hk.host_id, c.ca_key_id"
                        + " FROM host_keys hk JOIN hosts h ON h.id = hk.host_id AND h.enrolled_at IS NOT NULL"
                        + " JOIN certificates c ON c.key_fingerprint = hk.fingerprint AND c.cert_type = 'host'"
                        + " ORDER BY hk.host_id, hk.fingerprint, c.serial DESC")
                .forEach(r -> m.computeIfAbsent(r.get(0, Long.class), k -> new ArrayList<>()).add(r.get(1, Long.class)));
        return m;
    }
}
