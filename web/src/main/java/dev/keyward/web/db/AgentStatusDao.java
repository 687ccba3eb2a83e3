package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.HOSTS;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/** What each host's agent last reported about itself (the {@code agent_*} columns of {@code hosts}). */
public final class AgentStatusDao {
    private final DSLContext tx;

    public AgentStatusDao(DSLContext tx) {
        this.tx = tx;
    }

    /**
     * An agent's status report, as stored.
     *
     * @param usageSource {@code file}, {@code journal} or {@code none}
     * @param usageDetail the log file or journal command; for none, why
     * @param krlVersion  unsigned 64-bit, kept as the number it is
     */
    public record AgentStatus(Optional<String> agentVersion, String usageSource, Optional<String> usageDetail,
            long usageFlagged, Optional<String> usageLastFlagged, Optional<Long> trustVersion,
            Optional<BigInteger> krlVersion, Instant reportedAt) {
    }

    public void save(long hostId, AgentStatus s) {
        tx.update(HOSTS)
                .set(HOSTS.AGENT_VERSION, s.agentVersion().orElse(null))
                .set(HOSTS.AGENT_USAGE_SOURCE, s.usageSource())
                .set(HOSTS.AGENT_USAGE_DETAIL, s.usageDetail().orElse(null))
                .set(HOSTS.AGENT_USAGE_FLAGGED, s.usageFlagged())
                .set(HOSTS.AGENT_USAGE_LAST_FLAGGED, s.usageLastFlagged().orElse(null))
                .set(HOSTS.AGENT_TRUST_VERSION, s.trustVersion().orElse(null))
                .set(HOSTS.AGENT_KRL_VERSION, s.krlVersion().orElse(null))
                .set(HOSTS.AGENT_REPORTED_AT, TokenDao.utc(s.reportedAt()))
                .where(HOSTS.ID.eq(hostId)).execute();
    }

    /** The reports of these hosts (hosts whose agent never reported are absent). */
    public Map<Long, AgentStatus> find(Collection<Long> hostIds) {
        Map<Long, AgentStatus> m = new LinkedHashMap<>();
        if (hostIds.isEmpty()) {
            return m;
        }
        tx.select(HOSTS.ID, HOSTS.AGENT_VERSION, HOSTS.AGENT_USAGE_SOURCE, HOSTS.AGENT_USAGE_DETAIL,
                        HOSTS.AGENT_USAGE_FLAGGED, HOSTS.AGENT_USAGE_LAST_FLAGGED, HOSTS.AGENT_TRUST_VERSION,
                        HOSTS.AGENT_KRL_VERSION, HOSTS.AGENT_REPORTED_AT)
                .from(HOSTS).where(HOSTS.ID.in(hostIds).and(HOSTS.AGENT_REPORTED_AT.isNotNull()))
                .forEach(r -> m.put(r.value1(), new AgentStatus(Optional.ofNullable(r.value2()), r.value3(),
                        Optional.ofNullable(r.value4()), r.value5() == null ? 0 : r.value5(),
                        Optional.ofNullable(r.value6()), Optional.ofNullable(r.value7()),
                        Optional.ofNullable(r.value8()), r.value9().toInstant())));
        return m;
    }
}
