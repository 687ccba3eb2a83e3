package dev.keyward.web.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.config.DatabaseConfig;
import dev.keyward.web.db.embedded.EmbeddedDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool, migrations and jOOQ context. Services run their work through {@link #transaction};
 * DAOs are created on the transaction's {@link DSLContext} so that they share it.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource dataSource;
    private final DSLContext dsl;
    private static final Settings SETTINGS = new Settings().withExecuteLogging(false);
    private final AutoCloseable owned;

    private Database(HikariDataSource dataSource, AutoCloseable owned) {
        this.dataSource = dataSource;
        this.owned = owned;
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES, SETTINGS);
    }

    /** Connects as {@code config} says; for the embedded default, starts (or attaches to) PostgreSQL under home. */
    public static Database open(DatabaseConfig config, Path home) {
        if (config.embedded()) {
            EmbeddedDatabase embedded = EmbeddedDatabase.startOrAttach(home);
            try {
                return new Database(pool(embedded.jdbcUrl(), embedded.user(), embedded.password(), config.poolSize()),
                        embedded);
            } catch (RuntimeException e) {
                embedded.close();
                throw e;
            }
        }
        String password = config.passwordFile().map(Database::readPassword).orElse(null);
        return new Database(pool(config.url().orElseThrow(), config.user(), password, config.poolSize()), null);
    }

    /** For tests and tools that already have a URL. */
    public static Database connect(String url, String user, String password, int poolSize) {
        return new Database(pool(url, user, password, poolSize), null);
    }

    private static HikariDataSource pool(String url, String user, String password, int poolSize) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("keyward");
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        if (password != null) {
            hc.setPassword(password);
        }
        hc.setMaximumPoolSize(poolSize);
        hc.setMinimumIdle(Math.min(2, poolSize));
        // Fail requests fast when the database is down (they become 503); the pool keeps trying to reconnect.
        hc.setConnectionTimeout(3000);
        hc.setValidationTimeout(2000);
        hc.setInitializationFailTimeout(10_000);
        hc.addDataSourceProperty("connectTimeout", "5");
        hc.addDataSourceProperty("socketTimeout", "60");
        hc.addDataSourceProperty("ApplicationName", "keyward-server");
        try {
            return new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new DatabaseUnavailableException("cannot connect to PostgreSQL at " + redact(url) + ": "
                    + rootMessage(e), e);
        }
    }

    private static String readPassword(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8);
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException e) {
            throw new ConfigException("database.password_file: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Applies pending migrations from classpath:db/migration. */
    public MigrateResult migrate() {
        return migrate(null);
    }

    /** Applies pending migrations up to {@code targetVersion} (all of them when null). */
    public MigrateResult migrate(String targetVersion) {
        var cfg = flyway();
        if (targetVersion != null) {
            cfg = cfg.target(targetVersion);
        }
        MigrateResult r = cfg.load().migrate();
        if (r.migrationsExecuted > 0) {
            LOG.info("Applied {} database migration(s); schema is now at version {}", r.migrationsExecuted,
                    r.targetSchemaVersion);
        }
        return r;
    }

    private org.flywaydb.core.api.configuration.FluentConfiguration flyway() {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .validateMigrationNaming(true);
    }

    /** The schema version applied, or empty for a database Keyward never migrated. */
    public java.util.Optional<String> schemaVersion() {
        var current = flyway().load().info().current();
        return current == null || current.getVersion() == null ? java.util.Optional.empty()
                : java.util.Optional.of(current.getVersion().getVersion());
    }

    /** The newest schema version this server's migrations reach. */
    public String latestSchemaVersion() {
        var all = flyway().load().info().all();
        return all[all.length - 1].getVersion().getVersion();
    }

    /** Drops every object of Keyward's schema (restore into a database that must be emptied first). */
    public void clean() {
        flyway().cleanDisabled(false).load().clean();
    }

    /** Whether this process attached to the embedded PostgreSQL of a server that runs on the same home. */
    public boolean attachedToRunningServer() {
        return owned instanceof EmbeddedDatabase e && !e.owned();
    }

    public DSLContext dsl() {
        return dsl;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Runs {@code work} in one transaction and returns its result; commits when it returns, rolls back when it
     * throws. Connection failures surface as {@link DatabaseUnavailableException}.
     *
     * <p>Plain JDBC demarcation on a pooled connection rather than jOOQ's transaction provider: that one asks the
     * server for the isolation level ({@code SHOW TRANSACTION ISOLATION LEVEL}, a round trip) before every
     * transaction, a fifth of the round trips of an issuance batch.
     */
    public <T> T transaction(Function<DSLContext, T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            T result;
            try {
                result = work.apply(DSL.using(c, SQLDialect.POSTGRES, SETTINGS));
                c.commit();
            } catch (RuntimeException | Error | SQLException e) {
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
            return result;
        } catch (SQLException e) {
            throw translate(new DataAccessException("transaction failed: " + e.getMessage(), e));
        } catch (DataAccessException e) {
            throw translate(e);
        }
    }

    /** Runs a read outside an explicit transaction, with the same error translation. */
    public <T> T read(Function<DSLContext, T> work) {
        try {
            return work.apply(dsl);
        } catch (DataAccessException e) {
            throw translate(e);
        }
    }

    /** Whether a trivial query answers within the pool's timeout. */
    public boolean ping() {
        try {
            return dsl.selectOne().fetchOne() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static RuntimeException translate(DataAccessException e) {
        if (DbErrors.isUnavailable(e)) {
            return new DatabaseUnavailableException("database unavailable: " + rootMessage(e), e);
        }
        return e;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    @Override
    public void close() {
        dataSource.close();
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                LOG.warn("Closing the database failed: {}", e.toString());
            }
        }
    }
}
