package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.AGENT_STATE_VERSION;

import java.time.Instant;
import org.jooq.DSLContext;

/**
 * The agent state version: one row bumped in the same transaction as any change to what a host should look like.
 * Together with the KRL version it tells a server node that long-polling agents should look again.
 */
public final class AgentStateDao {
    private final DSLContext tx;

    public AgentStateDao(DSLContext tx) {
        this.tx = tx;
    }

    /** Both versions, as one value that changes whenever either does. */
    public record Versions(long agentState, long krl) {
    }

    public long bump(Instant at) {
        return tx.update(AGENT_STATE_VERSION)
                .set(AGENT_STATE_VERSION.VERSION, AGENT_STATE_VERSION.VERSION.plus(1))
                .set(AGENT_STATE_VERSION.UPDATED_AT, TokenDao.utc(at))
                .where(AGENT_STATE_VERSION.ID.eq(1))
                .returning(AGENT_STATE_VERSION.VERSION).fetchSingle().getVersion();
    }

    public Versions versions() {
        // polled by every node several times a second: constant SQL, prepared once per connection by the driver
        return tx.connectionResult(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement(VERSIONS);
                    java.sql.ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("agent_state_version or krl_state has no row");
                }
                return new Versions(rs.getLong(1), rs.getLong(2));
            }
        });
    }

    private static final String VERSIONS = "SELECT (SELECT version FROM agent_state_version WHERE id = 1),"
            + " (SELECT version FROM krl_state WHERE id = 1)";
}
