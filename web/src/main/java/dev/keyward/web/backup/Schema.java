package dev.keyward.web.backup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keyward's tables and sequences as the database's catalogue describes them (the current schema, Flyway's own
 * history table aside), so that a backup covers every table a migration ever adds without a list to keep.
 */
final class Schema {
    static final String FLYWAY_HISTORY = "flyway_schema_history";

    /** A table, its columns in order, and the columns of its primary key (for a stable row order). */
    record TableInfo(String name, List<String> columns, List<String> primaryKey) {
    }

    private Schema() {
    }

    /** The tables, parents before the tables whose foreign keys point at them (then by name). */
    static List<TableInfo> tables(Connection c) throws SQLException {
        Map<String, List<String>> columns = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relname, a.attname FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid"
                + " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0"
                + " AND NOT a.attisdropped AND a.attgenerated = '' AND c.relname <> ? ORDER BY c.relname, a.attnum")) {
            ps.setString(1, FLYWAY_HISTORY);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        Map<String, List<String>> pks = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relname, a.attname FROM pg_index i"
                + " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true"
                + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
                + " WHERE n.nspname = current_schema() AND i.indisprimary ORDER BY c.relname, k.ord");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                pks.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        Map<String, Set<String>> parents = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT cl.relname, pa.relname FROM pg_constraint f"
                + " JOIN pg_class cl ON cl.oid = f.conrelid JOIN pg_class pa ON pa.oid = f.confrelid"
                + " JOIN pg_namespace n ON n.oid = cl.relnamespace"
                + " WHERE f.contype = 'f' AND n.nspname = current_schema()");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (!rs.getString(1).equals(rs.getString(2))) {
                    parents.computeIfAbsent(rs.getString(1), k -> new LinkedHashSet<>()).add(rs.getString(2));
                }
            }
        }
        List<TableInfo> ordered = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        for (String t : columns.keySet()) {
            visit(t, columns, pks, parents, done, new LinkedHashSet<>(), ordered);
        }
        return ordered;
    }

    private static void visit(String t, Map<String, List<String>> columns, Map<String, List<String>> pks,
            Map<String, Set<String>> parents, Set<String> done, Set<String> path, List<TableInfo> out) {
        if (done.contains(t) || !columns.containsKey(t)) {
            return;
        }
        if (!path.add(t)) {
            throw new IllegalStateException("foreign keys form a cycle through " + path);
        }
        for (String p : parents.getOrDefault(t, Set.of())) {
            visit(p, columns, pks, parents, done, path, out);
        }
        path.remove(t);
        done.add(t);
        out.add(new TableInfo(t, List.copyOf(columns.get(t)), List.copyOf(pks.getOrDefault(t, List.of()))));
    }

    /** Every sequence of the schema (identity columns' included) with its position. */
    static List<Manifest.Sequence> sequences(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relname FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'S' ORDER BY 1");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        List<Manifest.Sequence> out = new ArrayList<>();
        for (String name : names) {
            try (PreparedStatement ps = c.prepareStatement("SELECT last_value, is_called FROM " + quote(name));
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                out.add(new Manifest.Sequence(name, rs.getLong(1), rs.getBoolean(2)));
            }
        }
        return out;
    }

    /** A quoted SQL identifier. */
    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static String columnList(List<String> columns) {
        List<String> q = new ArrayList<>();
        for (String col : columns) {
            q.add(quote(col));
        }
        return String.join(", ", q);
    }

    /** Table name → info, in the given order. */
    static Map<String, TableInfo> byName(List<TableInfo> tables) {
        Map<String, TableInfo> m = new LinkedHashMap<>();
        for (TableInfo t : tables) {
            m.put(t.name(), t);
        }
        return m;
    }
}
