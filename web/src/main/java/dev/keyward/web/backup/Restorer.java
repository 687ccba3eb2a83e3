package dev.keyward.web.backup;

import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.audit.VerifyResult;
import dev.keyward.web.db.Database;
import dev.keyward.web.service.AuditService;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Restores a backup into an empty database: checks the backup whole first (format, every file's SHA-256, names),
 * migrates the schema to the backup's version, loads every table and sets every sequence in one transaction (so a
 * failure leaves no half-restored data), migrates to this server's version, records the restore in the audit log
 * and verifies the chain. A database that already holds Keyward data is refused unless forced.
 */
public final class Restorer {
    /** Tables that migrations seed with their one row; a database with nothing else is empty. */
    private static final Set<String> SEEDED = Set.of("krl_state", "audit_head", "agent_state_version");
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Database db;

    public Restorer(Database db) {
        this.db = db;
    }

    /** What a restore did. */
    public record Result(Manifest manifest, long rows, VerifyResult audit) {
    }

    public Result restore(Path from, boolean force, String actor) {
        Path dir = from.toAbsolutePath().normalize();
        Manifest m = check(dir);
        String latest = db.latestSchemaVersion();
        if (compareVersions(m.schemaVersion(), latest) > 0) {
            throw new BackupException("the backup's schema version " + m.schemaVersion() + " is newer than this"
                    + " server's (" + latest + "): restore it with that Keyward release or a newer one");
        }
        Map<String, Long> existing = existingRows();
        if (!existing.isEmpty() && !force) {
            throw new BackupException("the database is not empty (" + existing + "); restore into an empty"
                    + " KEYWARD_HOME or database, or pass --force to replace everything in it");
        }
        if (db.schemaVersion().isPresent()) {
            db.clean();
        }
        db.migrate(m.schemaVersion());
        long rows = load(dir, m);
        db.migrate();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("from", dir.toString());
        details.put("backup_created_at", m.createdAt());
        details.put("backup_audit_head_seq", m.auditHead().seq());
        details.put("rows", rows);
        db.transaction(tx -> new AuditLog(tx).append(actor, "backup.restore", dir.getFileName().toString(), details));
        return new Result(m, rows, new AuditService(db).verify());
    }

    /** Reads the manifest and checks every file it names against its SHA-256 before anything is touched. */
    static Manifest check(Path dir) {
        Manifest m;
        if (!Files.isRegularFile(dir.resolve(Manifest.FILE), LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupException(dir + " is not a Keyward backup: it has no " + Manifest.FILE);
        }
        try {
            m = Manifest.read(dir.resolve(Manifest.FILE));
        } catch (IOException e) {
            throw new BackupException(dir.resolve(Manifest.FILE) + " is not a valid manifest: " + e.getMessage());
        }
        if (!Manifest.FORMAT.equals(m.format())) {
            throw new BackupException("unknown backup format '" + m.format() + "' (expected " + Manifest.FORMAT + ")");
        }
        if (m.schemaVersion() == null || !m.schemaVersion().matches("[0-9]+(\\.[0-9]+)*") || m.tables() == null
                || m.sequences() == null || m.auditHead() == null) {
            throw new BackupException("the manifest lacks its schema version, tables, sequences or audit head");
        }
        for (Manifest.Table t : m.tables()) {
            if (!NAME.matcher(t.name()).matches() || !t.file().equals("tables/" + t.name() + ".csv")
                    || t.columns() == null || t.columns().isEmpty() || t.rows() < 0) {
                throw new BackupException("the manifest's entry for table '" + t.name() + "' is malformed");
            }
            for (String col : t.columns()) {
                if (!NAME.matcher(col).matches()) {
                    throw new BackupException("table " + t.name() + " names a malformed column");
                }
            }
            Path f = dir.resolve(t.file());
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                throw new BackupException("the backup lacks " + t.file());
            }
            String sha = sha256(f);
            if (!sha.equals(t.sha256())) {
                throw new BackupException(t.file() + " does not match its SHA-256 in the manifest: the backup is"
                        + " damaged or was changed");
            }
        }
        for (Manifest.Sequence s : m.sequences()) {
            if (!NAME.matcher(s.name()).matches()) {
                throw new BackupException("the manifest names a malformed sequence");
            }
        }
        return m;
    }

    private Map<String, Long> existingRows() {
        if (db.schemaVersion().isEmpty()) {
            return Map.of();
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection c = db.dataSource().getConnection()) {
            for (Schema.TableInfo t : Schema.tables(c)) {
                if (SEEDED.contains(t.name())) {
                    continue;
                }
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM "
                        + Schema.quote(t.name()))) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        rows.put(t.name(), rs.getLong(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database: " + e.getMessage(), e);
        }
        return rows;
    }

    private long load(Path dir, Manifest m) {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                long rows = load(c, dir, m);
                c.commit();
                return rows;
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new BackupException("loading the backup failed, nothing was restored: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the backup failed, nothing was restored: " + e.getMessage(), e);
        }
    }

    private static long load(Connection c, Path dir, Manifest m) throws SQLException, IOException {
        try (Statement s = c.createStatement()) {
            for (String setting : BackupFormat.SESSION) {
                s.execute(setting);
            }
        }
        Map<String, Schema.TableInfo> tables = Schema.byName(Schema.tables(c));
        List<String> missing = new ArrayList<>(tables.keySet());
        for (Manifest.Table t : m.tables()) {
            Schema.TableInfo here = tables.get(t.name());
            if (here == null || !here.columns().equals(t.columns())) {
                throw new BackupException("table " + t.name() + " of the backup does not match schema version "
                        + m.schemaVersion() + " here (columns " + t.columns() + " against "
                        + (here == null ? "no such table" : here.columns()) + ")");
            }
            missing.remove(t.name());
        }
        if (!missing.isEmpty()) {
            throw new BackupException("the backup lacks tables " + missing + " of schema version " + m.schemaVersion());
        }
        List<String> all = new ArrayList<>();
        for (String name : tables.keySet()) {
            all.add(Schema.quote(name));
        }
        try (Statement s = c.createStatement()) {
            // the migrations' seed rows give way to the backup's
            s.execute("TRUNCATE " + String.join(", ", all) + " RESTART IDENTITY");
        }
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        long total = 0;
        for (Manifest.Table t : m.tables()) {
            long n;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(dir.resolve(t.file())), 1 << 16)) {
                n = copy.copyIn("COPY " + Schema.quote(t.name()) + " (" + Schema.columnList(t.columns())
                        + ") FROM STDIN WITH (FORMAT csv, HEADER MATCH)", in);
            }
            if (n != t.rows()) {
                throw new BackupException("table " + t.name() + " loaded " + n + " rows, the manifest says " + t.rows());
            }
            total += n;
        }
        for (Manifest.Sequence seq : m.sequences()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
                ps.setString(1, Schema.quote(seq.name()));
                ps.setLong(2, seq.lastValue());
                ps.setBoolean(3, seq.isCalled());
                ps.execute();
            }
        }
        return total;
    }

    private static String sha256(Path f) {
        MessageDigest sha = BackupWriter.sha256();
        try (InputStream in = new DigestInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Compares dotted version numbers numerically. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? Long.parseLong(x[i]) : 0;
            long q = i < y.length ? Long.parseLong(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }
}
