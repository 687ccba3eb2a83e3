package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.HOST_INVENTORY;
import static dev.keyward.web.db.jooq.Tables.KEY_FIRST_SEEN;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;

/** The keys agents found in authorized_keys files, per host. */
public final class InventoryDao {
    private static final String OPTION_SEPARATOR = "\n";

    private final DSLContext tx;

    public InventoryDao(DSLContext tx) {
        this.tx = tx;
    }

    /** One inventory row (a key line in a file on a host). */
    public record Row(long hostId, String account, String file, int line, String source, String keyType, int bits,
            String fingerprint, String comment, List<String> options, String problem) {
        public Row {
            options = List.copyOf(options);
        }
    }

    /** Replaces the host's inventory with {@code rows} and records keys seen for the first time. */
    public void replace(long hostId, List<Row> rows, Instant at) {
        tx.deleteFrom(HOST_INVENTORY).where(HOST_INVENTORY.HOST_ID.eq(hostId)).execute();
        if (rows.isEmpty()) {
            return;
        }
        var insert = tx.insertInto(HOST_INVENTORY, HOST_INVENTORY.HOST_ID, HOST_INVENTORY.ACCOUNT, HOST_INVENTORY.FILE,
                HOST_INVENTORY.LINE, HOST_INVENTORY.SOURCE, HOST_INVENTORY.KEY_TYPE, HOST_INVENTORY.BITS,
                HOST_INVENTORY.FINGERPRINT, HOST_INVENTORY.COMMENT, HOST_INVENTORY.OPTIONS, HOST_INVENTORY.PROBLEM);
        for (Row r : rows) {
            insert = insert.values(hostId, r.account(), r.file(), r.line(), r.source(), r.keyType(), r.bits(),
                    r.fingerprint(), r.comment(), String.join(OPTION_SEPARATOR, r.options()), r.problem());
        }
        insert.onConflictDoNothing().execute();
        for (String fp : rows.stream().map(Row::fingerprint).distinct().toList()) {
            AuthorizedKeyDao.firstSeen(tx, fp, at);
        }
    }

    public List<Row> forHost(long hostId) {
        return tx.selectFrom(HOST_INVENTORY).where(HOST_INVENTORY.HOST_ID.eq(hostId))
                .orderBy(HOST_INVENTORY.ACCOUNT, HOST_INVENTORY.FILE, HOST_INVENTORY.LINE).fetch(InventoryDao::toRow);
    }

    /** The inventory lines of these keys, anywhere, by fingerprint, host, account, file and line. */
    public List<Row> forFingerprints(Collection<String> fingerprints) {
        return tx.selectFrom(HOST_INVENTORY).where(HOST_INVENTORY.FINGERPRINT.in(fingerprints))
                .orderBy(HOST_INVENTORY.FINGERPRINT, HOST_INVENTORY.HOST_ID, HOST_INVENTORY.ACCOUNT,
                        HOST_INVENTORY.FILE, HOST_INVENTORY.LINE)
                .fetch(InventoryDao::toRow);
    }

    /** First-seen times of these keys. */
    public Map<String, Instant> firstSeen(List<String> fingerprints) {
        Map<String, Instant> m = new HashMap<>();
        if (!fingerprints.isEmpty()) {
            tx.selectFrom(KEY_FIRST_SEEN).where(KEY_FIRST_SEEN.FINGERPRINT.in(fingerprints))
                    .forEach(r -> m.put(r.getFingerprint(), r.getFirstSeenAt().toInstant()));
        }
        return m;
    }

    private static Row toRow(dev.keyward.web.db.jooq.tables.records.HostInventoryRecord r) {
        List<String> options = r.getOptions().isEmpty() ? List.of()
                : Arrays.asList(r.getOptions().split(OPTION_SEPARATOR, -1));
        return new Row(r.getHostId(), r.getAccount(), r.getFile(), r.getLine(), r.getSource(), r.getKeyType(),
                r.getBits(), r.getFingerprint(), r.getComment(), options, r.getProblem());
    }
}
