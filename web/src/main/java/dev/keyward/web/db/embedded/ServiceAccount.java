package dev.keyward.web.db.embedded;

import dev.keyward.web.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The system account a server started as root runs as: {@code keyward}, the account the embedded PostgreSQL of a
 * root server runs as and the one the Debian package creates (no login shell, no home). Nothing of the server needs
 * root, so its launcher ({@code keyward-server serve} as root) has this class prepare the account and
 * {@code $KEYWARD_HOME} and then runs the JVM as the account ({@code setpriv}, groups cleared, no new privileges).
 */
public final class ServiceAccount {
    /** What a Keyward home holds; a non-empty directory with none of these is not taken over. */
    private static final Set<String> HOME_ENTRIES = Set.of("pgdata", "pg", "pg-password", "pg.lock", "pgsocket",
            "admin-token", "softhsm", "softhsm2.conf", "ca", "audit-checkpoints.log");

    /** The account's numeric user and group IDs. */
    public record Ids(int uid, int gid) {
    }

    private ServiceAccount() {
    }

    /**
     * Creates the account when missing, gives {@code home} (created when missing) and everything in it to the
     * account, mode 0700, and grants the account search permission on directories above it that it cannot pass
     * (a POSIX ACL, as for the embedded PostgreSQL). Root only.
     *
     * @throws ConfigException when not root, when {@code home} is a directory that is not a Keyward home, or when
     *                         the account cannot be given a way to it
     */
    public static Ids prepareHome(Path home) {
        if (PgAccount.processUid() != 0) {
            throw new ConfigException("service-account prepares KEYWARD_HOME for the " + PgAccount.SYSTEM_ACCOUNT
                    + " system account and must run as root");
        }
        Path dir = home.toAbsolutePath().normalize();
        PgAccount account = PgAccount.forThisProcess();
        try {
            if (Files.isSymbolicLink(dir)) {
                throw new ConfigException("KEYWARD_HOME " + dir + " is a symbolic link; point it at the directory");
            }
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && !looksLikeHome(dir)) {
                throw new ConfigException("KEYWARD_HOME " + dir + " is a non-empty directory that is not a Keyward"
                        + " home; the server, run as the system account " + account.name() + ", takes its home over:"
                        + " set KEYWARD_HOME to a new or empty directory");
            }
            Files.createDirectories(dir);
            account.chownTree(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir + " for the account " + account.name() + ": "
                    + e.getMessage(), e);
        }
        account.makeReachable(dir, "keyward-server runs as the system account " + account.name());
        return new Ids(account.uid(), account.gid());
    }

    private static boolean looksLikeHome(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            boolean empty = true;
            for (Path p : entries) {
                empty = false;
                if (HOME_ENTRIES.contains(p.getFileName().toString())) {
                    return true;
                }
            }
            return empty;
        }
    }
}
