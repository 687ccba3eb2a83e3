package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.HOSTS;
import static dev.keyward.web.db.jooq.Tables.HOST_KEYS;
import static dev.keyward.web.db.jooq.Tables.HOST_LABELS;
import static dev.keyward.web.db.jooq.Tables.HOST_PRINCIPALS;
import static dev.keyward.web.db.jooq.Tables.JOIN_TOKENS;

import dev.keyward.web.db.jooq.tables.records.HostsRecord;
import dev.keyward.web.db.jooq.tables.records.JoinTokensRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/** Hosts, their registered names and labels, their join tokens and their enrolled host keys. */
public final class HostDao {
    private final DSLContext tx;

    public HostDao(DSLContext tx) {
        this.tx = tx;
    }

    /** A registered host. {@code tokenId} is its credential once enrolled. */
    public record Host(long id, String hostname, String mode, List<String> principals, List<String> labels,
            String createdBy, Instant createdAt, Optional<Instant> enrolledAt, Optional<Long> tokenId,
            Optional<String> inventoryHash, Optional<Instant> lastSeenAt) {
        public Host {
            principals = List.copyOf(principals);
            labels = List.copyOf(labels);
        }
    }

    /** A host to insert. */
    public record NewHost(String hostname, String mode, List<String> principals, List<String> labels,
            String createdBy, Instant createdAt) {
    }

    /** A join token row. */
    public record JoinToken(long id, long hostId, Instant expiresAt, Optional<Instant> usedAt) {
    }

    public Host insert(NewHost h) {
        long id = tx.insertInto(HOSTS)
                .set(HOSTS.HOSTNAME, h.hostname())
                .set(HOSTS.MODE, h.mode())
                .set(HOSTS.CREATED_BY, h.createdBy())
                .set(HOSTS.CREATED_AT, TokenDao.utc(h.createdAt()))
                .returning(HOSTS.ID).fetchSingle().getId();
        for (String p : h.principals()) {
            tx.insertInto(HOST_PRINCIPALS).set(HOST_PRINCIPALS.HOST_ID, id).set(HOST_PRINCIPALS.PRINCIPAL, p).execute();
        }
        for (String l : h.labels()) {
            tx.insertInto(HOST_LABELS).set(HOST_LABELS.HOST_ID, id).set(HOST_LABELS.LABEL, l).execute();
        }
        return find(id).orElseThrow();
    }

    public boolean hostnameExists(String hostname) {
        return tx.fetchExists(HOSTS, HOSTS.HOSTNAME.eq(hostname));
    }

    public Optional<Host> find(long id) {
        return tx.selectFrom(HOSTS).where(HOSTS.ID.eq(id)).fetchOptional().map(this::toHost);
    }

    /** The host, its row locked for the rest of the transaction. */
    public Optional<Host> lock(long id) {
        return tx.selectFrom(HOSTS).where(HOSTS.ID.eq(id)).forUpdate().fetchOptional().map(this::toHost);
    }

    public Optional<Host> findByHostname(String hostname) {
        return tx.selectFrom(HOSTS).where(HOSTS.HOSTNAME.eq(hostname)).fetchOptional().map(this::toHost);
    }

    /** The host whose credential, or renewed credential not used yet, is {@code tokenId}. */
    public Optional<Host> findByToken(long tokenId) {
        return tx.selectFrom(HOSTS).where(HOSTS.TOKEN_ID.eq(tokenId).or(HOSTS.PENDING_TOKEN_ID.eq(tokenId)))
                .fetchOptional().map(this::toHost);
    }

    /** Hosts by id, paged. */
    public List<Host> list(int limit, int offset) {
        return tx.selectFrom(HOSTS).orderBy(HOSTS.ID).limit(limit).offset(offset).fetch(this::toHost);
    }

    /** Hostnames by id, for listings. */
    public Map<Long, String> hostnames(java.util.Collection<Long> ids) {
        Map<Long, String> m = new LinkedHashMap<>();
        if (!ids.isEmpty()) {
            tx.select(HOSTS.ID, HOSTS.HOSTNAME).from(HOSTS).where(HOSTS.ID.in(ids))
                    .forEach(r -> m.put(r.value1(), r.value2()));
        }
        return m;
    }

    public boolean labelExists(String label) {
        return tx.fetchExists(HOST_LABELS, HOST_LABELS.LABEL.eq(label));
    }

    public void insertJoinToken(long hostId, String tokenHash, String createdBy, Instant at, Instant expiresAt) {
        tx.insertInto(JOIN_TOKENS)
                .set(JOIN_TOKENS.HOST_ID, hostId)
                .set(JOIN_TOKENS.TOKEN_HASH, tokenHash)
                .set(JOIN_TOKENS.CREATED_BY, createdBy)
                .set(JOIN_TOKENS.CREATED_AT, TokenDao.utc(at))
                .set(JOIN_TOKENS.EXPIRES_AT, TokenDao.utc(expiresAt))
                .execute();
    }

    /** The join token with this hash, locked for the rest of the transaction (two enrollments race on it). */
    public Optional<JoinToken> lockJoinToken(String tokenHash) {
        return tx.selectFrom(JOIN_TOKENS).where(JOIN_TOKENS.TOKEN_HASH.eq(tokenHash)).forUpdate().fetchOptional()
                .map(HostDao::toJoinToken);
    }

    public void markJoinTokenUsed(long id, Instant at) {
        tx.update(JOIN_TOKENS).set(JOIN_TOKENS.USED_AT, TokenDao.utc(at)).where(JOIN_TOKENS.ID.eq(id)).execute();
    }

    /** Records the enrollment: the host's credential (replacing any earlier one) and when. */
    public void setEnrolled(long hostId, long tokenId, Instant at) {
        tx.update(HOSTS).set(HOSTS.TOKEN_ID, tokenId).set(HOSTS.ENROLLED_AT, TokenDao.utc(at))
                .where(HOSTS.ID.eq(hostId)).execute();
    }

    /** Adds host keys (fingerprint to public-key line); keys already registered stay as they were. */
    public void addHostKeys(long hostId, Map<String, String> keys, Instant at) {
        for (var e : keys.entrySet()) {
            tx.insertInto(HOST_KEYS)
                    .set(HOST_KEYS.HOST_ID, hostId)
                    .set(HOST_KEYS.FINGERPRINT, e.getKey())
                    .set(HOST_KEYS.PUBLIC_KEY, e.getValue())
                    .set(HOST_KEYS.ADDED_AT, TokenDao.utc(at))
                    .onConflictDoNothing().execute();
        }
    }

    /** Fingerprints of the host keys this host enrolled with. */
    public List<String> hostKeyFingerprints(long hostId) {
        return tx.select(HOST_KEYS.FINGERPRINT).from(HOST_KEYS).where(HOST_KEYS.HOST_ID.eq(hostId))
                .orderBy(HOST_KEYS.FINGERPRINT).fetch(HOST_KEYS.FINGERPRINT);
    }

    /** The newest host certificate of each of the host's enrolled keys: (CA key row, revoked, valid before). */
    public record NewestCert(String fingerprint, long caKeyId, boolean revoked, Instant validBefore) {
    }

    public List<NewestCert> newestHostCerts(long hostId) {
        var c = dev.keyward.web.db.jooq.Tables.CERTIFICATES;
        return tx.select(c.KEY_FINGERPRINT, c.CA_KEY_ID, c.REVOKED_AT, c.VALID_BEFORE).distinctOn(c.KEY_FINGERPRINT)
                .from(c)
                .where(c.CERT_TYPE.eq("host").and(c.KEY_FINGERPRINT.in(
                        tx.select(HOST_KEYS.FINGERPRINT).from(HOST_KEYS).where(HOST_KEYS.HOST_ID.eq(hostId)))))
                .orderBy(c.KEY_FINGERPRINT, c.SERIAL.desc())
                .fetch(r -> new NewestCert(r.value1(), r.value2(), r.value3() != null, r.value4().toInstant()));
    }

    public void setInventoryHash(long hostId, String hash, Instant at) {
        tx.update(HOSTS).set(HOSTS.INVENTORY_HASH, hash).set(HOSTS.INVENTORY_AT, TokenDao.utc(at))
                .where(HOSTS.ID.eq(hostId)).execute();
    }

    public void touch(long hostId, Instant at) {
        tx.update(HOSTS).set(HOSTS.LAST_SEEN_AT, TokenDao.utc(at)).where(HOSTS.ID.eq(hostId)).execute();
    }

    private Host toHost(HostsRecord r) {
        List<String> principals = tx.select(HOST_PRINCIPALS.PRINCIPAL).from(HOST_PRINCIPALS)
                .where(HOST_PRINCIPALS.HOST_ID.eq(r.getId())).orderBy(HOST_PRINCIPALS.PRINCIPAL)
                .fetch(HOST_PRINCIPALS.PRINCIPAL);
        List<String> labels = new ArrayList<>(tx.select(HOST_LABELS.LABEL).from(HOST_LABELS)
                .where(HOST_LABELS.HOST_ID.eq(r.getId())).orderBy(HOST_LABELS.LABEL).fetch(HOST_LABELS.LABEL));
        return new Host(r.getId(), r.getHostname(), r.getMode(), principals, labels, r.getCreatedBy(),
                r.getCreatedAt().toInstant(), instant(r.getEnrolledAt()), Optional.ofNullable(r.getTokenId()),
                Optional.ofNullable(r.getInventoryHash()), instant(r.getLastSeenAt()));
    }

    private static JoinToken toJoinToken(JoinTokensRecord r) {
        return new JoinToken(r.getId(), r.getHostId(), r.getExpiresAt().toInstant(), instant(r.getUsedAt()));
    }

    static Optional<Instant> instant(OffsetDateTime t) {
        return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
    }
}
