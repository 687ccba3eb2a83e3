package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.CERT_LAST_USE;
import static dev.keyward.web.db.jooq.Tables.KEY_LAST_USE;
import static dev.keyward.web.db.jooq.Tables.USAGE_EVENTS;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Key usage reported by agents: the events (idempotent by host and event id) and the last use per key and per
 * certificate serial, per host and account.
 */
public final class UsageDao {
    private final DSLContext tx;

    public UsageDao(DSLContext tx) {
        this.tx = tx;
    }

    /** One validated event. {@code certSerial} and {@code keyId} are present for certificate logins. */
    public record Event(String id, Instant occurredAt, String kind, String account, String fingerprint,
            String keyType, Optional<Long> certSerial, Optional<String> keyId, Optional<String> caFingerprint,
            String sourceIp, Optional<Integer> sourcePort, String detail) {
    }

    /** Last use of a key (or cert) by one account on one host. */
    public record LastUse(long hostId, String account, String fingerprint, Optional<Long> serial,
            Optional<String> keyId, Instant lastUsedAt, String sourceIp, long uses) {
    }

    /**
     * Stores the event unless this host already reported it; returns whether it was new. A new accepted login
     * also moves the last-use rows forward (never backward: events may arrive out of order).
     */
    public boolean insert(long hostId, Event e, Instant receivedAt) {
        int n = tx.insertInto(USAGE_EVENTS)
                .set(USAGE_EVENTS.HOST_ID, hostId)
                .set(USAGE_EVENTS.EVENT_ID, e.id())
                .set(USAGE_EVENTS.OCCURRED_AT, TokenDao.utc(e.occurredAt()))
                .set(USAGE_EVENTS.RECEIVED_AT, TokenDao.utc(receivedAt))
                .set(USAGE_EVENTS.KIND, e.kind())
                .set(USAGE_EVENTS.ACCOUNT, e.account())
                .set(USAGE_EVENTS.FINGERPRINT, e.fingerprint())
                .set(USAGE_EVENTS.KEY_TYPE, e.keyType())
                .set(USAGE_EVENTS.CERT_SERIAL, e.certSerial().orElse(null))
                .set(USAGE_EVENTS.KEY_ID, e.keyId().orElse(null))
                .set(USAGE_EVENTS.CA_FINGERPRINT, e.caFingerprint().orElse(null))
                .set(USAGE_EVENTS.SOURCE_IP, e.sourceIp())
                .set(USAGE_EVENTS.SOURCE_PORT, e.sourcePort().orElse(null))
                .set(USAGE_EVENTS.DETAIL, e.detail())
                .onConflictDoNothing().execute();
        if (n == 0) {
            return false;
        }
        if (!e.kind().equals("accepted")) {
            return true;
        }
        var at = TokenDao.utc(e.occurredAt());
        if (e.certSerial().isPresent()) {
            tx.insertInto(CERT_LAST_USE)
                    .set(CERT_LAST_USE.HOST_ID, hostId)
                    .set(CERT_LAST_USE.ACCOUNT, e.account())
                    .set(CERT_LAST_USE.SERIAL, e.certSerial().get())
                    .set(CERT_LAST_USE.KEY_ID, e.keyId().orElse(""))
                    .set(CERT_LAST_USE.FINGERPRINT, e.fingerprint())
                    .set(CERT_LAST_USE.LAST_USED_AT, at)
                    .set(CERT_LAST_USE.SOURCE_IP, e.sourceIp())
                    .set(CERT_LAST_USE.USES, 1L)
                    .onConflict(CERT_LAST_USE.HOST_ID, CERT_LAST_USE.ACCOUNT, CERT_LAST_USE.SERIAL)
                    .doUpdate()
                    .set(CERT_LAST_USE.USES, CERT_LAST_USE.USES.plus(1))
                    .set(CERT_LAST_USE.SOURCE_IP, DSL.when(CERT_LAST_USE.LAST_USED_AT.lt(at), e.sourceIp())
                            .otherwise(CERT_LAST_USE.SOURCE_IP))
                    .set(CERT_LAST_USE.LAST_USED_AT, DSL.greatest(CERT_LAST_USE.LAST_USED_AT, DSL.val(at)))
                    .execute();
        } else {
            tx.insertInto(KEY_LAST_USE)
                    .set(KEY_LAST_USE.HOST_ID, hostId)
                    .set(KEY_LAST_USE.ACCOUNT, e.account())
                    .set(KEY_LAST_USE.FINGERPRINT, e.fingerprint())
                    .set(KEY_LAST_USE.LAST_USED_AT, at)
                    .set(KEY_LAST_USE.SOURCE_IP, e.sourceIp())
                    .set(KEY_LAST_USE.USES, 1L)
                    .onConflict(KEY_LAST_USE.HOST_ID, KEY_LAST_USE.ACCOUNT, KEY_LAST_USE.FINGERPRINT)
                    .doUpdate()
                    .set(KEY_LAST_USE.USES, KEY_LAST_USE.USES.plus(1))
                    .set(KEY_LAST_USE.SOURCE_IP, DSL.when(KEY_LAST_USE.LAST_USED_AT.lt(at), e.sourceIp())
                            .otherwise(KEY_LAST_USE.SOURCE_IP))
                    .set(KEY_LAST_USE.LAST_USED_AT, DSL.greatest(KEY_LAST_USE.LAST_USED_AT, DSL.val(at)))
                    .execute();
        }
        return true;
    }

    /** Last use of these plain keys, everywhere. */
    public List<LastUse> keyLastUse(Collection<String> fingerprints) {
        return keyLastUse(KEY_LAST_USE.FINGERPRINT.in(fingerprints));
    }

    /** Last use of a host's plain keys. */
    public List<LastUse> keyLastUse(long hostId) {
        return keyLastUse(KEY_LAST_USE.HOST_ID.eq(hostId));
    }

    private List<LastUse> keyLastUse(Condition which) {
        return tx.selectFrom(KEY_LAST_USE).where(which).fetch(r -> new LastUse(
                r.getHostId(), r.getAccount(), r.getFingerprint(), Optional.empty(), Optional.empty(),
                r.getLastUsedAt().toInstant(), r.getSourceIp(), r.getUses()));
    }

    /**
     * Last use of certificates, newest first, at most {@code limit}; only on this host, by this account, of this
     * certified key where given.
     */
    public List<LastUse> certLastUse(int limit, Optional<Long> hostId, Optional<String> account,
            Optional<String> fingerprint) {
        List<Condition> c = new ArrayList<>();
        hostId.ifPresent(h -> c.add(CERT_LAST_USE.HOST_ID.eq(h)));
        account.ifPresent(a -> c.add(CERT_LAST_USE.ACCOUNT.eq(a)));
        fingerprint.ifPresent(f -> c.add(CERT_LAST_USE.FINGERPRINT.eq(f)));
        return tx.selectFrom(CERT_LAST_USE).where(c).orderBy(CERT_LAST_USE.LAST_USED_AT.desc()).limit(limit)
                .fetch(r -> new LastUse(r.getHostId(), r.getAccount(), r.getFingerprint(), Optional.of(r.getSerial()),
                        Optional.of(r.getKeyId()), r.getLastUsedAt().toInstant(), r.getSourceIp(), r.getUses()));
    }
}
