package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.AGENT_STATE_VERSION;
import static dev.keyward.web.db.jooq.Tables.KRL_STATE;

import java.time.Instant;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.impl.DSL;

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
        org.jooq.Field<Long> agent = DSL.field(DSL.select(AGENT_STATE_VERSION.VERSION).from(AGENT_STATE_VERSION)
                .where(AGENT_STATE_VERSION.ID.eq(1)));
        org.jooq.Field<Long> krl = DSL.field(DSL.select(KRL_STATE.VERSION).from(KRL_STATE).where(KRL_STATE.ID.eq(1)));
        Record2<Long, Long> r = tx.select(agent, krl).fetchSingle();
        return new Versions(r.value1(), r.value2());
    }
}
