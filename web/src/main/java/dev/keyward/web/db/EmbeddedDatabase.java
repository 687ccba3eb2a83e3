package dev.keyward.web.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of the default setup: data in {@code $KEYWARD_HOME/pgdata} (kept across restarts),
 * binaries unpacked under {@code $KEYWARD_HOME/pg}. It listens on 127.0.0.1 only and, unlike zonky's test
 * defaults, fsyncs every commit.
 *
 * <p>When another Keyward process already runs the embedded server on the same data directory (say
 * {@code serve} is up and an admin runs {@code token create}), {@link #startOrAttach} connects to it instead of
 * starting a second one, using the port from {@code postmaster.pid}.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;
    private final int port;

    private EmbeddedDatabase(EmbeddedPostgres postgres, int port) {
        this.postgres = postgres;
        this.port = port;
    }

    public static EmbeddedDatabase startOrAttach(Path home) {
        Path dataDir = home.resolve("pgdata");
        Optional<Integer> running = runningPort(dataDir);
        if (running.isPresent()) {
            LOG.info("Using the embedded PostgreSQL already running on 127.0.0.1:{} (data in {})", running.get(),
                    dataDir);
            return new EmbeddedDatabase(null, running.get());
        }
        try {
            Files.createDirectories(home);
            Path work = home.resolve("pg");
            Files.createDirectories(work);
            LOG.info("Starting embedded PostgreSQL with data in {}", dataDir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(work.toFile())
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // zonky's defaults are for throwaway test databases (fsync=off, synchronous_commit=off): a
                    // crash could then lose certificates already returned to clients, or corrupt the cluster.
                    // The embedded default keeps real state, so it gets PostgreSQL's durable defaults back.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    // zonky's defaults are for throwaway test databases (-F, synchronous_commit=off): this one holds
                    // the CA's records, and a certificate must not leave before its row is on disk
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .start();
            // the unpacked binaries come out world-writable; nobody else may swap them under us
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
            return new EmbeddedDatabase(pg, pg.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** The port of a live postmaster on {@code dataDir}, from line 4 of postmaster.pid, if one answers. */
    static Optional<Integer> runningPort(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() < 4) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).strip());
            int port = Integer.parseInt(lines.get(3).strip());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && answers(port)) {
                return Optional.of(port);
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("Ignoring unreadable {}: {}", pidFile, e.toString());
        }
        return Optional.empty();
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    /** Whether this process started the server (and so stops it on close). */
    public boolean owned() {
        return postgres != null;
    }

    @Override
    public void close() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                LOG.warn("Stopping the embedded PostgreSQL failed: {}", e.toString());
            }
        }
    }
}
