package dev.keyward.web.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * Real PostgreSQL for tests. With {@code KEYWARD_TEST_DB_URL} (plus {@code KEYWARD_TEST_DB_USER} and
 * {@code KEYWARD_TEST_DB_PASSWORD}, a role allowed to CREATE DATABASE) that server is used; otherwise one
 * embedded PostgreSQL is started per test JVM and stopped when the test session ends
 * ({@link TestDatabasesSession}). Each call to
 * {@link #create()} makes a fresh, empty database, so test classes do not see each other's rows.
 */
public final class TestDatabases {
    private static EmbeddedPostgres embedded;

    private TestDatabases() {
    }

    /** Connection facts of one test database. */
    public record Db(String url, String user, String password, String name) {
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user, password == null ? "" : password);
        }

        /** Runs one SQL statement (for tests that tamper with rows). */
        public int execute(String sql) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                return s.executeUpdate(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
            }
        }

        /** Writes the password to a file (mode 0600) for database.password_file; null when there is none. */
        public Path passwordFile(Path dir) throws IOException {
            if (password == null) {
                return null;
            }
            Path f = dir.resolve("db-password");
            Files.writeString(f, password);
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return f;
        }
    }

    public static synchronized Db create() {
        String name = "kw_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        String external = System.getenv("KEYWARD_TEST_DB_URL");
        if (external != null && !external.isBlank()) {
            String user = System.getenv().getOrDefault("KEYWARD_TEST_DB_USER", "postgres");
            String password = System.getenv("KEYWARD_TEST_DB_PASSWORD");
            createDatabase(external, user, password, name);
            return new Db(replaceDatabase(external, name), user, password, name);
        }
        EmbeddedPostgres pg = embedded();
        String admin = pg.getJdbcUrl("postgres", "postgres");
        createDatabase(admin, "postgres", null, name);
        return new Db(pg.getJdbcUrl("postgres", name), "postgres", null, name);
    }

    /** Stops the embedded PostgreSQL, if this JVM started one. */
    public static synchronized void shutdown() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stop the embedded test PostgreSQL", e);
            } finally {
                embedded = null;
            }
        }
    }

    private static EmbeddedPostgres embedded() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL for tests: " + e.getMessage(), e);
            }
        }
        return embedded;
    }

    private static void createDatabase(String adminUrl, String user, String password, String name) {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password == null ? "" : password);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
        }
    }

    /** jdbc:postgresql://host:port/db?params with db replaced. */
    static String replaceDatabase(String url, String name) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        String params = q < 0 ? "" : url.substring(q);
        int slash = base.lastIndexOf('/');
        if (slash < "jdbc:postgresql://".length()) {
            return base + "/" + name + params;
        }
        return base.substring(0, slash + 1) + name + params;
    }
}
