package dev.keyward.web.service;

import dev.keyward.web.config.InventoryConfig;
import dev.keyward.web.db.AuthorizedKeyDao;
import dev.keyward.web.db.AuthorizedKeyDao.StaticKey;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.HostDao;
import dev.keyward.web.db.InventoryDao;
import dev.keyward.web.db.KeyPageDao;
import dev.keyward.web.db.UsageDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jooq.DSLContext;

/**
 * The key inventory: every key the agents found (and every static key), grouped by fingerprint, with where it
 * is, its last use per host and account, and flags: {@code unused} (no login for N days, counted from first
 * sight for keys never used), {@code shared} (in several accounts or on several hosts), {@code weak} (DSA, RSA
 * under 2048 bits), {@code old} (first seen more than M days ago). Certificates are listed by their last use.
 */
public final class KeyInventoryService {
    static final int MAX_CERTS = 1000;

    private final Database db;
    private final Clock clock;

    private final Thresholds defaults;

    public KeyInventoryService(Database db, Clock clock, InventoryConfig config) {
        this.db = db;
        this.clock = clock;
        this.defaults = new Thresholds((int) config.unusedAfter().toDays(), (int) config.oldAfter().toDays());
    }

    /** The thresholds from the configuration ({@code inventory.unused_after}, {@code inventory.old_after}). */
    public Thresholds defaults() {
        return defaults;
    }

    /** Thresholds of the flags, in days. */
    public record Thresholds(int unusedDays, int oldDays) {
    }

    /** Where a key is: a file line the agent reported, or a static key record. */
    /** Where a key is; {@code problem} is the inventory line's (the agent's and the server's), absent if none. */
    public record Location(String host, String account, String file, Integer line, String source,
            Long authorizedKeyId, String hostLabel, String lastUsedAt, String lastSourceIp, long uses,
            String problem) {
    }

    public record KeyEntry(String fingerprint, String type, int bits, List<String> comments, String firstSeenAt,
            String lastUsedAt, List<String> flags, List<Location> locations) {
    }

    public record CertUse(long serial, String keyId, String fingerprint, String host, String account,
            String lastUsedAt, String sourceIp, long uses) {
    }

    /**
     * Which page of the inventory: after the fingerprint {@code cursor} or after skipping {@code offset} keys;
     * only keys with {@code flag}, with this fingerprint, or with a location in this account or on this host
     * (by hostname; static keys given to one of its labels count) where given.
     */
    public record Query(Thresholds thresholds, int limit, int offset, Optional<String> cursor,
            Optional<KeyPageDao.Flag> flag, Optional<String> fingerprint, Optional<String> account,
            Optional<String> host) {
    }

    /**
     * A page of keys. {@code certificates} and {@code total} (keys on every page) come only with pages asked for
     * without a cursor; {@code nextCursor} is present when the page is full.
     */
    public record Inventory(List<KeyEntry> keys, Optional<List<CertUse>> certificates, Optional<Integer> total,
            Optional<String> nextCursor) {
    }

    public Inventory list(Query q) {
        Instant now = clock.instant();
        Thresholds t = q.thresholds();
        return db.transaction(tx -> {
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
            Optional<HostDao.Host> host = q.host().flatMap(new HostDao(tx)::findByHostname);
            if (q.host().isPresent() && host.isEmpty()) {
                boolean first = q.cursor().isEmpty();
                return new Inventory(List.of(), first ? Optional.of(List.of()) : Optional.empty(),
                        first ? Optional.of(0) : Optional.empty(), Optional.empty());
            }
            KeyPageDao.Filter filter = new KeyPageDao.Filter(q.fingerprint(), q.account(), host.map(HostDao.Host::id),
                    host.map(HostDao.Host::labels).orElse(List.of()), q.flag(),
                    now.minus(Duration.ofDays(t.unusedDays())), now.minus(Duration.ofDays(t.oldDays())));
            KeyPageDao pages = new KeyPageDao(tx);
            List<KeyEntry> page = entries(tx, pages.page(filter, q.cursor(), q.offset(), q.limit()), now, t);
            Optional<String> next = page.size() == q.limit() ? Optional.of(page.getLast().fingerprint())
                    : Optional.empty();
            if (q.cursor().isPresent()) {
                return new Inventory(List.copyOf(page), Optional.empty(), Optional.empty(), next);
            }
            List<UsageDao.LastUse> certs = new UsageDao(tx).certLastUse(MAX_CERTS, filter.hostId(), q.account(),
                    q.fingerprint());
            Map<Long, String> names = new HostDao(tx).hostnames(certs.stream().map(UsageDao.LastUse::hostId)
                    .collect(Collectors.toSet()));
            List<CertUse> certUses = certs.stream().map(c -> new CertUse(c.serial().orElseThrow(),
                    c.keyId().orElse(""), c.fingerprint(), names.get(c.hostId()), c.account(),
                    c.lastUsedAt().toString(), c.sourceIp(), c.uses())).toList();
            return new Inventory(List.copyOf(page), Optional.of(certUses), Optional.of(pages.count(filter)), next);
        });
    }

    /** These keys, complete (every location, last use and flag), in the order given. */
    private static List<KeyEntry> entries(DSLContext tx, List<String> fingerprints, Instant now, Thresholds t) {
        if (fingerprints.isEmpty()) {
            return List.of();
        }
        List<InventoryDao.Row> rows = new InventoryDao(tx).forFingerprints(fingerprints);
        List<StaticKey> statics = new AuthorizedKeyDao(tx).currentWithFingerprints(fingerprints);
        Map<String, UsageDao.LastUse> lastUse = new HashMap<>();
        for (UsageDao.LastUse u : new UsageDao(tx).keyLastUse(fingerprints)) {
            lastUse.put(u.hostId() + " " + u.account() + " " + u.fingerprint(), u);
        }
        Set<Long> hostIds = new HashSet<>();
        rows.forEach(r -> hostIds.add(r.hostId()));
        statics.forEach(s -> s.hostId().ifPresent(hostIds::add));
        Map<Long, String> names = new HostDao(tx).hostnames(hostIds);

        Map<String, Builder> byFp = new LinkedHashMap<>();
        for (InventoryDao.Row r : rows) {
            Builder b = byFp.computeIfAbsent(r.fingerprint(), f -> new Builder(f, r.keyType(), r.bits()));
            UsageDao.LastUse u = lastUse.get(r.hostId() + " " + r.account() + " " + r.fingerprint());
            b.add(new Location(names.get(r.hostId()), r.account(), r.file(), r.line(), r.source(), null, null,
                    u == null ? null : u.lastUsedAt().toString(), u == null ? null : u.sourceIp(),
                    u == null ? 0 : u.uses(), r.problem().isEmpty() ? null : r.problem()), "h" + r.hostId(),
                    r.comment(), u, weak(r.keyType(), r.bits()));
        }
        for (StaticKey s : statics) {
            Builder b = byFp.computeIfAbsent(s.fingerprint(), f -> new Builder(f, s.keyType(), s.bits()));
            UsageDao.LastUse u = s.hostId().map(h -> lastUse.get(h + " " + s.account() + " " + s.fingerprint()))
                    .orElse(null);
            b.add(new Location(s.hostId().map(names::get).orElse(null), s.account(), null, null, "static",
                    s.id(), s.hostLabel().orElse(null), u == null ? null : u.lastUsedAt().toString(),
                    u == null ? null : u.sourceIp(), u == null ? 0 : u.uses(), null),
                    s.hostId().map(h -> "h" + h).orElse("l" + s.hostLabel().orElse("")), s.comment(), u,
                    weak(s.keyType(), s.bits()));
        }
        // uses of keys no inventory lists (a file the agent does not scan, an account it does not manage)
        for (UsageDao.LastUse u : lastUse.values()) {
            Builder b = byFp.get(u.fingerprint());
            if (b != null) {
                b.lastUse(u.lastUsedAt());
            }
        }
        Map<String, Instant> firstSeen = new InventoryDao(tx).firstSeen(fingerprints);
        List<KeyEntry> out = new ArrayList<>();
        for (String fp : fingerprints) {
            Builder b = byFp.get(fp);
            if (b != null) {
                out.add(b.build(firstSeen.get(fp), now, t));
            }
        }
        return out;
    }

    /** Whether Keyward's policy calls a key of this type and size weak. */
    static boolean weak(String type, int bits) {
        return type.equals("ssh-dss") || type.equals("dsa") || (type.equals("ssh-rsa") && bits > 0 && bits < 2048);
    }

    private static final class Builder {
        final String fingerprint;
        final String type;
        final int bits;
        final List<Location> locations = new ArrayList<>();
        final Set<String> comments = new LinkedHashSet<>();
        final Set<String> accounts = new HashSet<>();
        final Set<String> places = new HashSet<>();
        Instant lastUse;
        /** Weak wherever any location reports it so (the same rule as KeyPageDao's flag filter). */
        boolean weak;

        Builder(String fingerprint, String type, int bits) {
            this.fingerprint = fingerprint;
            this.type = type;
            this.bits = bits;
        }

        void add(Location l, String place, String comment, UsageDao.LastUse u, boolean weakHere) {
            locations.add(l);
            weak |= weakHere;
            accounts.add(l.account());
            places.add(place);
            if (comment != null && !comment.isEmpty()) {
                comments.add(comment);
            }
            if (u != null) {
                lastUse(u.lastUsedAt());
            }
        }

        void lastUse(Instant t) {
            if (lastUse == null || t.isAfter(lastUse)) {
                lastUse = t;
            }
        }

        KeyEntry build(Instant firstSeen, Instant now, Thresholds t) {
            List<String> flags = new ArrayList<>();
            Instant since = Optional.ofNullable(lastUse).orElse(firstSeen);
            if (since != null && since.isBefore(now.minus(Duration.ofDays(t.unusedDays())))) {
                flags.add("unused");
            }
            if (accounts.size() > 1 || places.size() > 1) {
                flags.add("shared");
            }
            if (weak) {
                flags.add("weak");
            }
            if (firstSeen != null && firstSeen.isBefore(now.minus(Duration.ofDays(t.oldDays())))) {
                flags.add("old");
            }
            return new KeyEntry(fingerprint, type, bits, List.copyOf(comments),
                    firstSeen == null ? null : firstSeen.toString(), lastUse == null ? null : lastUse.toString(),
                    flags, List.copyOf(locations));
        }
    }
}
