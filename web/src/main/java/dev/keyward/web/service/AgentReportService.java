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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
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

    /**
     * A report element that was not stored: its position in the report, its id where it had one (a usage event
     * with an id is still acknowledged, so that it does not block the agent's spool), and why.
     */
    public record Rejected(int index, String id, String problem) {
    }

    /** A key line as the agent reported it. */
    public record InventoryIn(String account, String file, Integer line, String source, String type, Integer bits,
            String fingerprint, String comment, List<String> options, String problem) {
    }

    /** The hash the server now holds and the lines it left out (an empty list when it kept every line). */
    public record InventoryResult(String hash, List<Rejected> rejected) {
    }

    /**
     * Stores the readable, valid events once per (host, id) and acknowledges every event whose id can be echoed
     * back, stored or not: one bad event never holds up the good ones, and is not sent again and again.
     */
    public UsageResult usage(Host host, List<Received<UsageIn>> events) {
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
            Received<UsageIn> r = events.get(i);
            Optional<String> id = r.value().map(UsageIn::id).or(r::id).filter(UsageEvents::echoable);
            id.ifPresent(ack::add);
            try {
                UsageIn e = r.value().orElseThrow(() -> new InvalidInputException(r.problem().orElseThrow()));
                valid.putIfAbsent(e.id(), UsageEvents.check(e));
            } catch (InvalidInputException bad) {
                rejected.add(new Rejected(i, id.orElse(null), bad.getMessage()));
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

    /**
     * Replaces the host's inventory unless it already holds this hash. A line with unstorable text in what only
     * describes it (type, comment, options, problem) is kept with that text replaced and the reason added to its
     * problem; a line that cannot be placed (account, file, line, source, fingerprint) or not be read at all is
     * left out and listed under rejected. Returns the hash now held.
     */
    public InventoryResult inventory(Host host, String hash, List<Received<InventoryIn>> keys) {
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
        List<Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Received<InventoryIn> r = keys.get(i);
            try {
                InventoryIn k = r.value().orElseThrow(() -> new InvalidInputException(r.problem().orElseThrow()));
                rows.add(InventoryLines.check(host.id(), k));
            } catch (InvalidInputException bad) {
                rejected.add(new Rejected(i, null, bad.getMessage()));
            }
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
            if (!rejected.isEmpty()) {
                d.put("rejected", rejected.size());
            }
            d.put("agent_state_version", version);
            new AuditLog(tx).append("host:" + host.hostname(), "host.inventory", "host:" + host.id(), d);
            return true;
        });
        if (changed) {
            watcher.changed();
        }
        return new InventoryResult(hash, rejected);
    }
}
