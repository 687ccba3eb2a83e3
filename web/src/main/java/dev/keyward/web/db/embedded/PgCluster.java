package dev.keyward.web.db.embedded;

import dev.keyward.ca.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL cluster under {@code $KEYWARD_HOME/pgdata}, run by {@link PgAccount}: created with
 * {@code initdb}, closed by our {@code pg_hba.conf}, set up in single-user mode (no connection, no password
 * needed), started and stopped with {@code pg_ctl}.
 *
 * <p>{@code pg_hba.conf} lets exactly one role in: {@code keyward}, to the database {@code keyward}, over the
 * loopback addresses and the private socket, by scram-sha-256. The cluster is never started before that file is
 * in place, so it is never open, not even for a moment after {@code initdb}.
 */
final class PgCluster {
    private static final Logger LOG = LoggerFactory.getLogger(PgCluster.class);
    static final String DATABASE = "keyward";
    static final String ROLE = "keyward";
    /** Bumped when the set-up below changes, so that existing clusters get it at their next start. */
    private static final String BOOTSTRAP_VERSION = "1";
    private static final String MARKER = "keyward-bootstrap";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9/._-]+");
    /** sun_path is 108 bytes on Linux, with its NUL. */
    private static final int MAX_SOCKET_PATH = 107;

    private final Path binaries;
    private final Path dataDir;
    private final Path socketDir;
    private final PgAccount account;

    PgCluster(Path binaries, Path dataDir, Path socketDir, PgAccount account) {
        this.binaries = binaries;
        this.dataDir = dataDir;
        this.socketDir = socketDir;
        this.account = account;
    }

    boolean initialized() {
        return Files.isRegularFile(dataDir.resolve("PG_VERSION"), LinkOption.NOFOLLOW_LINKS);
    }

    /** Creates the cluster. Its superuser gets no password: nobody ever logs in as it. */
    void initdb() {
        try {
            Files.createDirectories(dataDir);
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
            account.own(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataDir + ": " + e.getMessage(), e);
        }
        // trust is initdb's default and needs no password; our pg_hba.conf replaces it before the first start
        run("initdb", List.of(bin("initdb"), "-D", dataDir.toString(), "-U", "postgres", "-E", "UTF8", "--locale=C",
                "-A", "trust"));
        LOG.info("Created the embedded PostgreSQL cluster in {}", dataDir);
    }

    /**
     * Makes the account own the cluster (a data directory of an older Keyward release belongs to root) with mode
     * 0700, which PostgreSQL demands.
     */
    void takeOver() {
        try {
            if (!account.owns(dataDir) || !account.owns(dataDir.resolve("PG_VERSION"))) {
                LOG.info("Giving {} to the account {}, which runs the embedded PostgreSQL", dataDir, account.name());
                account.chownTree(dataDir);
            }
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take over " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Writes our pg_hba.conf (at every start: it is ours, edits are overwritten). */
    void writeHba() {
        String hba = """
                # Written by keyward-server at every start of its embedded PostgreSQL; edits are overwritten.
                # One role, to one database, with its password (scram-sha-256). Nothing else may connect, and
                # the superuser has no password.
                # TYPE  DATABASE  USER     ADDRESS        METHOD
                local   keyward   keyward                 scram-sha-256
                host    keyward   keyward  127.0.0.1/32   scram-sha-256
                host    keyward   keyward  ::1/128        scram-sha-256
                """;
        writeOwned(dataDir.resolve("pg_hba.conf"), hba);
        writeOwned(dataDir.resolve("pg_ident.conf"), "# no identity maps: peer and ident are not used\n");
    }

    /** Whether the cluster still needs {@link #bootstrap} for the given password. */
    boolean needsBootstrap(String password) {
        try {
            Path marker = dataDir.resolve(MARKER);
            return !Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)
                    || !Files.readString(marker, StandardCharsets.US_ASCII).equals(marker(password));
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Sets the cluster up in single-user mode, idempotently: the database {@code keyward} (an older release kept
     * its tables in {@code postgres}: that database is renamed, so nothing is copied and nothing lost), the
     * non-superuser role {@code keyward} owning it and every object in it, with {@code password} (sent as a
     * SCRAM verifier, never in clear), and no password for the superuser.
     */
    void bootstrap(String password, String scramVerifier) {
        if (!single("template1", "SELECT datname FROM pg_database WHERE datname = 'keyward';")
                .contains("= \"keyward\"")) {
            boolean legacy = single("postgres", "SELECT relname FROM pg_class WHERE relname = 'flyway_schema_history'"
                    + " AND relnamespace = 'public'::regnamespace;").contains("= \"flyway_schema_history\"");
            if (legacy) {
                LOG.info("Moving Keyward's tables from the database postgres (older releases) to the database keyward");
                single("template1", "ALTER DATABASE postgres RENAME TO keyward;\n\nCREATE DATABASE postgres;");
            } else {
                single("template1", "CREATE DATABASE keyward;");
            }
        }
        single("template1", String.join("\n\n",
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'keyward') THEN"
                        + " CREATE ROLE keyward; END IF; END $$;",
                "ALTER ROLE keyward WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
                        + " PASSWORD '" + scramVerifier + "';",
                "ALTER ROLE postgres WITH PASSWORD NULL;",
                "ALTER DATABASE keyward OWNER TO keyward;",
                "REVOKE ALL ON DATABASE keyward FROM PUBLIC;"));
        // objects of an older release belong to the superuser: hand each to keyward (REASSIGN OWNED cannot move
        // the superuser's objects, which include the system's own)
        single("keyward", String.join("\n\n",
                "ALTER SCHEMA public OWNER TO keyward;",
                """
                DO $$ DECLARE r record; BEGIN
                  FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                        AND c.relowner <> 'keyward'::regrole
                        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                            AND d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP
                    EXECUTE format('ALTER %s %s OWNER TO keyward', CASE r.relkind WHEN 'S' THEN 'SEQUENCE'
                        WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                        ELSE 'TABLE' END, r.name);
                  END LOOP;
                  FOR r IN SELECT p.oid::regprocedure AS sig, p.prokind FROM pg_proc p
                      JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = 'public' AND p.proowner <> 'keyward'::regrole LOOP
                    EXECUTE format('ALTER %s %s OWNER TO keyward',
                        CASE r.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, r.sig);
                  END LOOP;
                END $$;""".replace("\n\n", "\n")));
        writeOwned(dataDir.resolve(MARKER), marker(password));
    }

    /** Starts the postmaster on {@code port}; returns once it accepts connections. */
    Postmaster start(int port) {
        List<String> opts = new ArrayList<>(List.of("-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1",
                "-c", "password_encryption=scram-sha-256",
                // zonky's defaults (fsync off) are for throwaway test databases; this one holds the CA's records,
                // and a certificate must not leave before its row is on disk
                "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on", "-c", "wal_init_zero=off"));
        opts.addAll(socketOptions());
        Processes.Result r = run("pg_ctl start", List.of(PgAccount.program("setsid"), "--wait", bin("pg_ctl"), "-D",
                dataDir.toString(), "-l", dataDir.resolve("postgresql.log").toString(), "-w", "-t", "60", "-s",
                "-o", String.join(" ", opts), "start"));
        return running(dataDir).orElseThrow(() -> new IllegalStateException(
                "the embedded PostgreSQL started but wrote no postmaster.pid (" + r.tail() + ")"));
    }

    private List<String> socketOptions() {
        String path = socketDir.toString();
        if (!PLAIN_PATH.matcher(path).matches() || path.length() + "/.s.PGSQL.65535.lock".length() > MAX_SOCKET_PATH) {
            LOG.info("The embedded PostgreSQL listens on 127.0.0.1 only, without a Unix socket: {} is too long for"
                    + " a socket path or has characters a PostgreSQL setting cannot carry", path);
            return List.of("-c", "unix_socket_directories=");
        }
        try {
            Files.createDirectories(socketDir);
            account.own(socketDir);
            Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the socket directory " + socketDir + ": " + e.getMessage(),
                    e);
        }
        return List.of("-c", "unix_socket_directories=" + path, "-c", "unix_socket_permissions=0700");
    }

    /** Stops a postmaster of this cluster: fast shutdown (sessions ended, nothing lost), then harder if need be. */
    void stop(Postmaster pm) {
        boolean asked = false;
        if (pm.uid() == account.uid()) {
            asked = run0(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "30", "-s",
                    "stop")).ok();
        }
        if (!asked || pm.alive()) {
            // another account's postmaster (an older release ran it as root): signals, which root may send
            ProcessHandle.of(pm.pid()).ifPresent(ProcessHandle::destroy);
            if (!pm.awaitExit(Duration.ofSeconds(30))) {
                LOG.warn("The embedded PostgreSQL (pid {}) did not stop within 30 s; killing it", pm.pid());
                ProcessHandle.of(pm.pid()).ifPresent(ProcessHandle::destroyForcibly);
                pm.awaitExit(Duration.ofSeconds(10));
            }
        }
    }

    /** The live postmaster of {@code dataDir}, from its postmaster.pid, if one runs there. */
    static Optional<Postmaster> running(Path dataDir) {
        return Postmaster.read(dataDir);
    }

    private String single(String database, String sql) {
        // exit_on_error turns an error into a non-zero exit; no statement is ever echoed into the output (the
        // role's password verifier is in one)
        Processes.Result r = run0(List.of(bin("postgres"), "--single", "-j", "-D", dataDir.toString(),
                "-c", "exit_on_error=on", "-c", "log_min_error_statement=panic", "-c", "log_min_messages=warning",
                database), (sql + "\n\n").getBytes(StandardCharsets.UTF_8));
        if (!r.ok() || r.output().contains("ERROR:") || r.output().contains("FATAL:")) {
            throw new IllegalStateException("setting up the embedded PostgreSQL failed (database " + database + "): "
                    + r.tail());
        }
        return r.output();
    }

    private Processes.Result run(String what, List<String> command) {
        Processes.Result r = run0(command);
        if (!r.ok()) {
            throw new IllegalStateException(what + " failed for the embedded PostgreSQL in " + dataDir + ": " + r.tail()
                    + logTail());
        }
        return r;
    }

    private Processes.Result run0(List<String> command) {
        return run0(command, null);
    }

    private Processes.Result run0(List<String> command, byte[] stdin) {
        return Processes.run(account.command(dataDir, command), stdin, TIMEOUT);
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postgresql.log"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : "; its log ends: " + String.join(" | ",
                    lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private String bin(String program) {
        return binaries.resolve("bin").resolve(program).toString();
    }

    private void writeOwned(Path file, String content) {
        try {
            AtomicFiles.write(file, content.getBytes(StandardCharsets.UTF_8), "rw-------");
            account.own(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String marker(String password) {
        return BOOTSTRAP_VERSION + " " + dev.keyward.ca.Sha256.hex(password.getBytes(StandardCharsets.UTF_8)) + "\n";
    }
}
