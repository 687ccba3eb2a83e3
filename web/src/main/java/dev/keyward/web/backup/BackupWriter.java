package dev.keyward.web.backup;

import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.db.Database;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Writes a backup: every table as CSV from one snapshot ({@code SERIALIZABLE READ ONLY DEFERRABLE}: consistent
 * across tables, without blocking issuance), the sequences, the CA keys' public halves, the configuration file, and
 * a manifest with each file's SHA-256. It is written into a temporary directory beside the target and renamed into
 * place at the end, so a backup directory is always complete. Files are 0600 in a 0700 directory: the dump holds
 * token hashes and the audit trail.
 */
public final class BackupWriter {
    private final Database db;
    private final String keywardVersion;

    public BackupWriter(Database db, String keywardVersion) {
        this.db = db;
        this.keywardVersion = keywardVersion;
    }

    /** Writes a backup into {@code target} (absent or empty) and records it in the audit log as {@code actor}. */
    public Manifest write(Path target, Optional<Path> configFile, String actor) {
        Path dir = target.toAbsolutePath().normalize();
        requireAbsentOrEmpty(dir);
        Path tmp;
        try {
            Files.createDirectories(dir.getParent());
            tmp = Files.createTempDirectory(dir.getParent(), "." + dir.getFileName() + ".partial-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory beside " + dir + ": " + e.getMessage(), e);
        }
        try {
            Manifest m = dump(tmp);
            if (configFile.isPresent()) {
                Files.copy(configFile.get(), tmp.resolve("keyward.yaml"));
                Files.setPosixFilePermissions(tmp.resolve("keyward.yaml"), PosixFilePermissions.fromString("rw-------"));
            }
            AtomicFiles.write(tmp.resolve(Manifest.FILE), m.toJson(), "rw-------");
            syncTree(tmp);
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(dir); // empty, checked above
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDirectory(dir.getParent());
            audit(m, dir, actor);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("writing the backup to " + dir + " failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private Manifest dump(Path dir) throws IOException {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE");
                for (String setting : BackupFormat.SESSION) {
                    s.execute(setting);
                }
            }
            try {
                Manifest m = dump(c, dir);
                c.rollback();
                return m;
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the database for the backup failed: " + e.getMessage(), e);
        }
    }

    private Manifest dump(Connection c, Path dir) throws SQLException, IOException {
        String schemaVersion = string(c, "SELECT version FROM " + Schema.FLYWAY_HISTORY
                + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1");
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        Path tables = Files.createDirectory(dir.resolve("tables"));
        List<Manifest.Table> out = new ArrayList<>();
        for (Schema.TableInfo t : Schema.tables(c)) {
            String file = "tables/" + t.name() + ".csv";
            MessageDigest sha = sha256();
            long rows;
            try (OutputStream os = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(
                    tables.resolve(t.name() + ".csv"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    1 << 16), sha)) {
                String order = t.primaryKey().isEmpty() ? "" : " ORDER BY " + Schema.columnList(t.primaryKey());
                rows = copy.copyOut("COPY (SELECT " + Schema.columnList(t.columns()) + " FROM " + Schema.quote(t.name())
                        + order + ") TO STDOUT WITH (FORMAT csv, HEADER true)", os);
            }
            out.add(new Manifest.Table(t.name(), file, t.columns(), rows, HexFormat.of().formatHex(sha.digest())));
        }
        List<Manifest.CaKey> keys = new ArrayList<>();
        Path ca = Files.createDirectory(dir.resolve("ca"));
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT id, purpose, state, fingerprint, key_uri, public_key FROM ca_keys ORDER BY id")) {
            while (rs.next()) {
                String file = "ca/" + rs.getString(2) + "-" + rs.getLong(1) + ".pub";
                Files.writeString(ca.resolve(rs.getString(2) + "-" + rs.getLong(1) + ".pub"), rs.getString(6) + "\n",
                        StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
                keys.add(new Manifest.CaKey(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), file));
            }
        }
        Manifest.AuditHead head;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT seq, hash FROM audit_head")) {
            rs.next();
            head = new Manifest.AuditHead(rs.getLong(1), rs.getString(2));
        }
        return new Manifest(Manifest.FORMAT, keywardVersion, Instant.now().toString(), schemaVersion, out,
                Schema.sequences(c), keys, head, string(c, "SELECT version::text FROM krl_state"));
    }

    private void audit(Manifest m, Path dir, String actor) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("to", dir.toString());
        details.put("schema_version", m.schemaVersion());
        details.put("rows", m.tables().stream().mapToLong(Manifest.Table::rows).sum());
        details.put("audit_head_seq", m.auditHead().seq());
        db.transaction(tx -> new AuditLog(tx).append(actor, "backup.create", dir.getFileName().toString(), details));
    }

    static void requireAbsentOrEmpty(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupException(dir + " exists and is not a directory");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            if (ds.iterator().hasNext()) {
                throw new BackupException(dir + " is not empty: back up into a new or empty directory");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String string(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("the database has no Keyward schema (" + sql + " found nothing)");
            }
            return rs.getString(1);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void syncTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
                    AtomicFiles.fsyncDirectory(p);
                }
            }
        }
    }

    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a left-over .partial directory is harmless and named as such
        }
    }
}
