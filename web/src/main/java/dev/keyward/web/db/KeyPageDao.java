package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Tables.AUTHORIZED_KEYS;
import static dev.keyward.web.db.jooq.Tables.HOST_INVENTORY;
import static dev.keyward.web.db.jooq.Tables.KEY_FIRST_SEEN;
import static dev.keyward.web.db.jooq.Tables.KEY_LAST_USE;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.concat;
import static org.jooq.impl.DSL.exists;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.selectOne;
import static org.jooq.impl.DSL.when;

import dev.keyward.web.db.jooq.tables.AuthorizedKeys;
import dev.keyward.web.db.jooq.tables.HostInventory;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record1;
import org.jooq.Select;
import org.jooq.Table;

/**
 * Pages of the key inventory's fingerprints: the union of the fingerprints in the host inventories and of the
 * current (not deleted) static keys, in the database's order of fingerprints, with optional filters. Only
 * fingerprints are chosen here; the service then loads those keys' locations.
 */
public final class KeyPageDao {
    private static final String FP = "fp";
    /** The tables again under other names, for subqueries about the fingerprint of an outer row. */
    private static final HostInventory HI = HOST_INVENTORY.as("hi");
    private static final AuthorizedKeys AK = AUTHORIZED_KEYS.as("ak");

    private final DSLContext tx;

    public KeyPageDao(DSLContext tx) {
        this.tx = tx;
    }

    /** A key flag a page can be filtered by (see the key inventory service for their meaning). */
    public enum Flag {
        UNUSED, SHARED, WEAK, OLD;

        /** The flag named {@code v} ({@code unused}, {@code shared}, {@code weak}, {@code old}). */
        public static java.util.Optional<Flag> parse(String v) {
            for (Flag f : values()) {
                if (f.name().toLowerCase(java.util.Locale.ROOT).equals(v)) {
                    return java.util.Optional.of(f);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /**
     * Which keys to list. A key matches {@code account} and {@code host} when one of its locations does (an
     * inventory line or a static key for that host or for one of {@code hostLabels}). {@code WEAK} matches keys
     * with any weak location, as the service's weak flag does.
     */
    public record Filter(Optional<String> fingerprint, Optional<String> account, Optional<Long> hostId,
            List<String> hostLabels, Optional<Flag> flag, Instant unusedBefore, Instant oldBefore) {
        public Filter {
            hostLabels = List.copyOf(hostLabels);
        }
    }

    /**
     * At most {@code limit} fingerprints after {@code after} (or after skipping {@code offset}), in order. Each
     * source is read in index order up to the page's end, so a page costs about its own size, not the inventory's.
     */
    public List<String> page(Filter f, Optional<String> after, int offset, int limit) {
        int each = offset + limit;
        Table<?> inv = branch(HOST_INVENTORY, HOST_INVENTORY.FINGERPRINT, inventoryWhere(f), after, f, each)
                .asTable("inv");
        Table<?> sta = branch(AUTHORIZED_KEYS, AUTHORIZED_KEYS.FINGERPRINT, staticWhere(f), after, f, each)
                .asTable("sta");
        Table<?> both = select(inv.field(FP, String.class)).from(inv)
                .unionAll(select(sta.field(FP, String.class)).from(sta)).asTable("both_");
        Field<String> fp = both.field(FP, String.class);
        return tx.selectDistinct(fp).from(both).orderBy(fp).limit(limit).offset(offset).fetch(fp);
    }

    /** How many keys match (every page together). */
    public int count(Filter f) {
        Table<?> all = select(HOST_INVENTORY.FINGERPRINT.as(FP)).from(HOST_INVENTORY).where(inventoryWhere(f))
                .union(select(AUTHORIZED_KEYS.FINGERPRINT.as(FP)).from(AUTHORIZED_KEYS).where(staticWhere(f)))
                .asTable("all_");
        return tx.fetchCount(select(all.field(FP)).from(all).where(flag(f, all.field(FP, String.class))));
    }

    /**
     * One source's distinct fingerprints in order, at most {@code n}. Grouping (not DISTINCT in a subquery) lets
     * the planner see the limit and read the fingerprint index in order; the flag is checked once per key.
     */
    private static Select<Record1<String>> branch(Table<?> t, Field<String> column, Condition where,
            Optional<String> after, Filter f, int n) {
        return select(column.as(FP)).from(t).where(where).and(after.map(column::gt).orElse(noCondition()))
                .groupBy(column).having(flag(f, column)).orderBy(column).limit(n);
    }

    private static Condition inventoryWhere(Filter f) {
        return keyAndAccount(f, HOST_INVENTORY.FINGERPRINT, HOST_INVENTORY.ACCOUNT)
                .and(f.hostId().map(h -> HOST_INVENTORY.HOST_ID.eq(h)).orElse(noCondition()));
    }

    private static Condition staticWhere(Filter f) {
        Condition onHost = f.hostId().map(h -> f.hostLabels().isEmpty() ? AUTHORIZED_KEYS.HOST_ID.eq(h)
                : AUTHORIZED_KEYS.HOST_ID.eq(h).or(AUTHORIZED_KEYS.HOST_LABEL.in(f.hostLabels())))
                .orElse(noCondition());
        return AUTHORIZED_KEYS.DELETED_AT.isNull()
                .and(keyAndAccount(f, AUTHORIZED_KEYS.FINGERPRINT, AUTHORIZED_KEYS.ACCOUNT)).and(onHost);
    }

    private static Condition keyAndAccount(Filter f, Field<String> fingerprint, Field<String> account) {
        return f.fingerprint().map(v -> fingerprint.eq(v)).orElse(noCondition())
                .and(f.account().map(v -> account.eq(v)).orElse(noCondition()));
    }

    /** The flag filter as a condition on one fingerprint (correlated subqueries, each by an index). */
    private static Condition flag(Filter f, Field<String> fp) {
        if (f.flag().isEmpty()) {
            return noCondition();
        }
        return switch (f.flag().get()) {
            case OLD -> exists(selectOne().from(KEY_FIRST_SEEN).where(KEY_FIRST_SEEN.FINGERPRINT.eq(fp))
                    .and(KEY_FIRST_SEEN.FIRST_SEEN_AT.lt(TokenDao.utc(f.oldBefore()))));
            // the last use anywhere (also by accounts no inventory lists), else the first sight
            case UNUSED -> coalesce(
                    field(select(max(KEY_LAST_USE.LAST_USED_AT)).from(KEY_LAST_USE)
                            .where(KEY_LAST_USE.FINGERPRINT.eq(fp))),
                    field(select(KEY_FIRST_SEEN.FIRST_SEEN_AT).from(KEY_FIRST_SEEN)
                            .where(KEY_FIRST_SEEN.FINGERPRINT.eq(fp))))
                    .lt(TokenDao.utc(f.unusedBefore()));
            case WEAK -> exists(selectOne().from(HI).where(HI.FINGERPRINT.eq(fp))
                    .and(weak(HI.KEY_TYPE, HI.BITS)))
                    .or(exists(selectOne().from(AK).where(AK.FINGERPRINT.eq(fp))
                            .and(AK.DELETED_AT.isNull())
                            .and(weak(AK.KEY_TYPE, AK.BITS))));
            case SHARED -> shared(fp);
        };
    }

    /** The SQL twin of the service's weak-key rule (DSA; RSA under 2048 bits). */
    private static Condition weak(Field<String> type, Field<Integer> bits) {
        return type.in("ssh-dss", "dsa").or(type.eq("ssh-rsa").and(bits.gt(0)).and(bits.lt(2048)));
    }

    /**
     * In several accounts or in several places (a host, or a label for static keys given by label): the
     * locations' smallest and largest account or place differ.
     */
    private static Condition shared(Field<String> fp) {
        Table<?> locations = select(HI.ACCOUNT.as("account"),
                concat(inline("h"), HI.HOST_ID.cast(String.class)).as("place"))
                .from(HI).where(HI.FINGERPRINT.eq(fp))
                .unionAll(select(AK.ACCOUNT,
                        when(AK.HOST_ID.isNotNull(),
                                concat(inline("h"), AK.HOST_ID.cast(String.class)))
                                .otherwise(concat(inline("l"), AK.HOST_LABEL)))
                        .from(AK).where(AK.FINGERPRINT.eq(fp))
                        .and(AK.DELETED_AT.isNull()))
                .asTable("locations");
        Field<String> account = locations.field("account", String.class);
        Field<String> place = locations.field("place", String.class);
        return exists(selectOne().from(locations).having(min(account).ne(max(account))
                .or(min(place).ne(max(place)))));
    }
}
