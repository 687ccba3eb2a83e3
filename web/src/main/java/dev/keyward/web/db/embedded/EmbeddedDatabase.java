package dev.keyward.web.db.embedded;

import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.web.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.postgresql.util.PasswordUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of the default setup: data in {@code $KEYWARD_HOME/pgdata} (kept across restarts),
 * binaries unpacked under {@code $KEYWARD_HOME/pg}, the role's password in {@code $KEYWARD_HOME/pg-password}
 * (0600), the Unix socket in {@code $KEYWARD_HOME/pgsocket} (0700, the database account's). See the package
 * documentation for what it protects.
 *
 * <p>Whoever holds the lock on {@code $KEYWARD_HOME/pg.lock} owns the running server: it started it and stops it
 * when it closes. A process that finds the lock taken (say {@code token create} while {@code serve} runs)
 * attaches to the running server instead. The lock goes with its process, {@code kill -9} included, so a server
 * still running with nobody holding the lock was left behind by a process that died: the next owner stops it and
 * starts it cleanly.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final Duration ATTACH_WAIT = Duration.ofSeconds(90);

    private final int port;
    private final String password;
    private final PgCluster cluster;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private Postmaster postmaster;

    private EmbeddedDatabase(int port, String password, PgCluster cluster, FileChannel lockChannel, FileLock lock,
            Postmaster postmaster) {
        this.port = port;
        this.password = password;
        this.cluster = cluster;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.postmaster = postmaster;
    }

    /** Starts the embedded PostgreSQL of {@code home}, or attaches to it when another Keyward process owns it. */
    public static EmbeddedDatabase startOrAttach(Path home) {
        Path dir = home.toAbsolutePath().normalize();
        Path dataDir = dir.resolve("pgdata");
        FileChannel channel = null;
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            channel = FileChannel.open(dir.resolve("pg.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return attach(dir, dataDir);
            }
            return start(dir, dataDir, channel, lock);
        } catch (IOException e) {
            close(channel);
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            close(channel);
            throw e;
        }
    }

    private static EmbeddedDatabase start(Path home, Path dataDir, FileChannel channel, FileLock lock)
            throws IOException {
        PgAccount account = PgAccount.forThisProcess();
        Path binaries = PgBinaries.ensure(home.resolve("pg"));
        PgCluster cluster = new PgCluster(binaries, dataDir, home.resolve("pgsocket"), account);
        Optional<Postmaster> orphan = PgCluster.running(dataDir);
        if (orphan.isPresent()) {
            LOG.warn("Stopping the embedded PostgreSQL (pid {}) left running by a Keyward process that did not stop"
                    + " it; it is started again cleanly", orphan.get().pid());
            cluster.stop(orphan.get());
        }
        account.ensureCanReach(home);
        if (cluster.initialized()) {
            cluster.takeOver();
        } else {
            cluster.initdb();
        }
        String password = readOrCreatePassword(home.resolve("pg-password"));
        cluster.writeHba();
        if (cluster.needsBootstrap(password)) {
            cluster.bootstrap(password, PasswordUtil.encodeScramSha256(password.toCharArray()));
        }
        LOG.info("Starting embedded PostgreSQL with data in {} (as the account {})", dataDir, account.name());
        Postmaster pm = startOnFreePort(cluster);
        return new EmbeddedDatabase(pm.port(), password, cluster, channel, lock, pm);
    }

    private static Postmaster startOnFreePort(PgCluster cluster) throws IOException {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            try {
                return cluster.start(port);
            } catch (IllegalStateException e) {
                // most likely another program took the port between our probe and PostgreSQL's bind
                last = e;
            }
        }
        throw last;
    }

    private static EmbeddedDatabase attach(Path home, Path dataDir) {
        long deadline = System.nanoTime() + ATTACH_WAIT.toNanos();
        while (true) {
            Optional<Postmaster> pm = PgCluster.running(dataDir);
            if (pm.isPresent() && pm.get().ready()) {
                LOG.info("Using the embedded PostgreSQL already running on 127.0.0.1:{} (data in {})", pm.get().port(),
                        dataDir);
                return new EmbeddedDatabase(pm.get().port(), readPassword(home.resolve("pg-password")), null, null,
                        null, null);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("another Keyward process holds " + home.resolve("pg.lock")
                        + " but its embedded PostgreSQL did not become ready within " + ATTACH_WAIT.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the embedded PostgreSQL", e);
            }
        }
    }

    /** The role's password: generated on first start (256 random bits), kept 0600, never logged. */
    private static String readOrCreatePassword(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return readPassword(file);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        AtomicFiles.write(file, (password + "\n").getBytes(StandardCharsets.US_ASCII), "rw-------");
        return password;
    }

    private static String readPassword(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new ConfigException(file + " is not a regular file");
            }
            String s = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (s.isEmpty()) {
                throw new ConfigException(file + " is empty; delete it and start `keyward-server serve` to make a new"
                        + " password");
            }
            return s;
        } catch (NoSuchFileException e) {
            throw new ConfigException("the embedded PostgreSQL's password file " + file + " is missing");
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot read " + file + ": run this as the user that runs `keyward-server serve`");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + PgCluster.DATABASE;
    }

    public String user() {
        return PgCluster.ROLE;
    }

    public String password() {
        return password;
    }

    /** Whether this process started the server (and so stops it on close). */
    public boolean owned() {
        return cluster != null;
    }

    @Override
    public synchronized void close() {
        if (cluster == null) {
            return;
        }
        try {
            if (postmaster != null) {
                cluster.stop(postmaster);
                postmaster = null;
            }
        } catch (RuntimeException e) {
            LOG.warn("Stopping the embedded PostgreSQL failed: {}", e.toString());
        } finally {
            try {
                lock.release();
            } catch (IOException e) {
                LOG.debug("Releasing the embedded PostgreSQL's lock: {}", e.toString());
            }
            close(lockChannel);
        }
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a lock file we only read the lock of
            }
        }
    }
}
