package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.db.AgentStateDao;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.HostDao;
import dev.keyward.web.db.HostDao.Host;
import dev.keyward.web.db.InventoryDao;
import dev.keyward.web.db.UsageDao;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What agents report: key usage (idempotent by event id per host) and inventories (idempotent by hash).
 * Usage events are records in their own right and are not copied into the audit log; an inventory that changed
 * is audited (with its hash and size) because it changes what the server tells the host to purge.
 */
public final class AgentReportService {
    /** Account names as the agent accepts them: never '/', never a leading '-' or '.'. */
    public static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}");
    public static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");
    static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9_.:=+/-]{1,128}");
    static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    static final Set<String> KINDS = Set.of("accepted", "revoked", "cert_invalid");
    static final Set<String> SOURCES = Set.of("user", "keyward");
    public static final int MAX_EVENTS = 5000;
    public static final int MAX_INVENTORY = 100_000;

    private final Database db;
    private final AgentStateWatcher watcher;
    private final Clock clock;

    public AgentReportService(Database db, AgentStateWatcher watcher, Clock clock) {
        this.db = db;
        this.watcher = watcher;
        this.clock = clock;
    }

    /** An event as the agent sent it (strings as on the wire). */
    public record UsageIn(String id, String time, String account, String fingerprint, String keyType,
            String certSerial, String keyId, String caFingerprint, String sourceIp, Integer sourcePort, String kind,
            String detail) {
    }

    /** Ids stored now or before (the agent deletes these from its spool) and events refused, with why. */
    public record UsageResult(List<String> acknowledged, List<Rejected> rejected, int stored) {
    }

    /** An event that was not stored; it is still acknowledged so that it does not block the agent's spool. */
    public record Rejected(String id, String problem) {
    }

    /** A key line as the agent reported it. */
    public record InventoryIn(String account, String file, Integer line, String source, String type, Integer bits,
            String fingerprint, String comment, List<String> options, String problem) {
    }

    public UsageResult usage(Host host, List<UsageIn> events) {
        if (events == null) {
            throw new InvalidInputException("events is required");
        }
        if (events.size() > MAX_EVENTS) {
            throw new InvalidInputException("at most " + MAX_EVENTS + " events per request");
        }
        List<String> ack = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        Map<String, UsageDao.Event> valid = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            UsageIn e = events.get(i);
            if (e == null || e.id() == null || !EVENT_ID.matcher(e.id()).matches()) {
                throw new InvalidInputException("events[" + i + "].id is required: 1 to 128 characters of"
                        + " [A-Za-z0-9_.:=+/-]");
            }
            ack.add(e.id());
            try {
                valid.putIfAbsent(e.id(), event(e));
            } catch (InvalidInputException bad) {
                rejected.add(new Rejected(e.id(), bad.getMessage()));
            }
        }
        Instant now = clock.instant();
        int stored = db.transaction(tx -> {
            UsageDao usage = new UsageDao(tx);
            int n = 0;
            for (UsageDao.Event e : valid.values()) {
                if (usage.insert(host.id(), e, now)) {
                    n++;
                }
            }
            new HostDao(tx).touch(host.id(), now);
            return n;
        });
        return new UsageResult(ack, rejected, stored);
    }

    /** Replaces the host's inventory unless it already holds this hash; returns the hash now held. */
    public String inventory(Host host, String hash, List<InventoryIn> keys) {
        if (hash == null || !HEX64.matcher(hash).matches()) {
            throw new InvalidInputException("hash must be 64 lowercase hex digits (SHA-256 of the inventory)");
        }
        if (keys == null) {
            throw new InvalidInputException("keys is required (an empty list for none)");
        }
        if (keys.size() > MAX_INVENTORY) {
            throw new InvalidInputException("at most " + MAX_INVENTORY + " inventory keys");
        }
        List<InventoryDao.Row> rows = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            rows.add(row(host.id(), keys.get(i), "keys[" + i + "]"));
        }
        Instant now = clock.instant();
        boolean changed = db.transaction(tx -> {
            HostDao hosts = new HostDao(tx);
            hosts.touch(host.id(), now);
            Host h = hosts.lock(host.id()).orElseThrow(); // two reports from one host apply one after the other
            if (h.inventoryHash().filter(hash::equals).isPresent()) {
                return false;
            }
            new InventoryDao(tx).replace(host.id(), rows, now);
            hosts.setInventoryHash(host.id(), hash, now);
            long version = new AgentStateDao(tx).bump(now);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("hash", hash);
            d.put("keys", rows.size());
            d.put("accounts", rows.stream().map(InventoryDao.Row::account).distinct().count());
            d.put("agent_state_version", version);
            new AuditLog(tx).append("host:" + host.hostname(), "host.inventory", "host:" + host.id(), d);
            return true;
        });
        if (changed) {
            watcher.changed();
        }
        return hash;
    }

    private static UsageDao.Event event(UsageIn e) {
        Instant at;
        try {
            at = OffsetDateTime.parse(required(e.time(), "time")).toInstant();
        } catch (DateTimeParseException x) {
            throw new InvalidInputException("time must be an RFC 3339 time");
        }
        String kind = required(e.kind(), "kind");
        if (!KINDS.contains(kind)) {
            throw new InvalidInputException("kind must be accepted, revoked or cert_invalid");
        }
        String account = required(e.account(), "account");
        if (!ACCOUNT.matcher(account).matches()) {
            throw new InvalidInputException("account is not a valid account name");
        }
        String fp = required(e.fingerprint(), "fingerprint");
        if (!FINGERPRINT.matcher(fp).matches()) {
            throw new InvalidInputException("fingerprint must be SHA256:<43 base64 characters>");
        }
        Optional<Long> serial = Optional.empty();
        if (e.certSerial() != null) {
            try {
                serial = Optional.of(Long.parseUnsignedLong(e.certSerial()));
            } catch (NumberFormatException x) {
                throw new InvalidInputException("cert_serial must be a decimal uint64");
            }
        }
        Optional<String> ca = Optional.ofNullable(e.caFingerprint());
        if (ca.isPresent() && !FINGERPRINT.matcher(ca.get()).matches()) {
            throw new InvalidInputException("ca_fingerprint must be SHA256:<43 base64 characters>");
        }
        Integer port = e.sourcePort();
        if (port != null && (port < 0 || port > 65535)) {
            throw new InvalidInputException("source_port must be 0 to 65535");
        }
        return new UsageDao.Event(e.id(), at, kind, account, fp, clip(nullToEmpty(e.keyType()), 64), serial,
                Optional.ofNullable(e.keyId()).map(k -> clip(k, 255)), ca, clip(nullToEmpty(e.sourceIp()), 64),
                Optional.ofNullable(port), clip(nullToEmpty(e.detail()), 1024));
    }

    private static InventoryDao.Row row(long hostId, InventoryIn k, String where) {
        if (k == null) {
            throw new InvalidInputException(where + " is null");
        }
        if (k.account() == null || !ACCOUNT.matcher(k.account()).matches()) {
            throw new InvalidInputException(where + ".account is not a valid account name");
        }
        if (k.fingerprint() == null || !FINGERPRINT.matcher(k.fingerprint()).matches()) {
            throw new InvalidInputException(where + ".fingerprint must be SHA256:<43 base64 characters>");
        }
        if (k.file() == null || !k.file().startsWith("/") || k.file().length() > 4096) {
            throw new InvalidInputException(where + ".file must be an absolute path");
        }
        if (k.line() == null || k.line() < 1) {
            throw new InvalidInputException(where + ".line must be a positive line number");
        }
        if (k.source() == null || !SOURCES.contains(k.source())) {
            throw new InvalidInputException(where + ".source must be user or keyward");
        }
        List<String> options = k.options() == null ? List.of() : k.options();
        for (String o : options) {
            if (o == null || o.indexOf('\n') >= 0) {
                throw new InvalidInputException(where + ".options: an option is null or holds a line break");
            }
        }
        return new InventoryDao.Row(hostId, k.account(), k.file(), k.line(), k.source(),
                clip(nullToEmpty(k.type()), 64), k.bits() == null ? -1 : k.bits(), k.fingerprint(),
                nullToEmpty(k.comment()), options, nullToEmpty(k.problem()));
    }

    private static String required(String v, String field) {
        if (v == null || v.isEmpty()) {
            throw new InvalidInputException(field + " is required");
        }
        return v;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
