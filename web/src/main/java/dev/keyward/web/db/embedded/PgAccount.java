package dev.keyward.web.db.embedded;

import dev.keyward.web.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operating-system account the embedded PostgreSQL runs as. PostgreSQL refuses to run as root, and a database
 * server that ran as root could read every secret on the machine ({@code COPY ... TO PROGRAM} as its superuser):
 * when this process is root, PostgreSQL runs as the system account {@code keyward} (created when missing, no
 * login shell, no home), which owns {@code pgdata} and nothing else; otherwise it runs as this process's own user.
 *
 * <p>Programs run as the account through {@code setpriv} (util-linux) with its groups cleared and
 * {@code no_new_privs} set, from a clean environment: nothing of this process's environment (PINs, tokens)
 * reaches PostgreSQL.
 */
final class PgAccount {
    private static final Logger LOG = LoggerFactory.getLogger(PgAccount.class);
    /** The system account of a root server; the Debian package's service account has the same name. */
    static final String SYSTEM_ACCOUNT = "keyward";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final int uid;
    private final int gid;
    private final boolean switchUser;

    private PgAccount(String name, int uid, int gid, boolean switchUser) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
        this.switchUser = switchUser;
    }

    /** The account for this process: {@code keyward} when root (created when missing), else this process's user. */
    static PgAccount forThisProcess() {
        int euid = processUid();
        if (euid != 0) {
            return new PgAccount(System.getProperty("user.name"), euid, processGid(), false);
        }
        return lookup(SYSTEM_ACCOUNT).orElseGet(() -> {
            create();
            return lookup(SYSTEM_ACCOUNT).orElseThrow(() -> new IllegalStateException(
                    "the system account " + SYSTEM_ACCOUNT + " was created but cannot be found"));
        });
    }

    String name() {
        return name;
    }

    int uid() {
        return uid;
    }

    int gid() {
        return gid;
    }

    /** Whether programs run under another account than this process's (this process is root). */
    boolean switchesUser() {
        return switchUser;
    }

    /** A process builder that runs {@code command} as this account, in {@code dir}, with a minimal environment. */
    ProcessBuilder command(Path dir, List<String> command) {
        List<String> cmd = new ArrayList<>();
        if (switchUser) {
            cmd.addAll(List.of(program("setpriv"), "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--no-new-privs",
                    "--"));
        }
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("LC_ALL", "C");
        return pb;
    }

    /**
     * Makes {@code home} reachable for the account: {@code home} itself gets the account's group and mode 0710
     * (search only: the account reaches what it owns inside, lists nothing); a directory above it that the
     * account cannot search gets a POSIX ACL entry granting the account search ({@code x}) and nothing else,
     * logged. Without {@code setfacl} such a directory is a configuration error naming it.
     */
    void ensureCanReach(Path home) {
        if (!switchUser) {
            restrict(home, "rwx------");
            return;
        }
        try {
            Files.setAttribute(home, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the group of " + home + ": " + e.getMessage(), e);
        }
        restrict(home, "rwx--x---");
        makeReachable(home, "the embedded PostgreSQL runs as the system account " + name);
    }

    /**
     * Grants the account search permission ({@code x}, nothing else, with a POSIX ACL entry, logged) on each
     * directory above {@code home} that it cannot pass through, then checks that it reaches {@code home}. {@code why}
     * starts the error message when that is impossible (no {@code setfacl}, or it fails), which names the directories.
     */
    void makeReachable(Path home, String why) {
        List<Path> blocked = new ArrayList<>();
        for (Path p = home.getParent(); p != null; p = p.getParent()) {
            if (!canSearch(p)) {
                blocked.add(0, p);
            }
        }
        grantSearch(home, blocked, why);
        if (!canSearch(home)) {
            throw new ConfigException("the system account " + name + " still cannot reach " + home);
        }
    }

    private void grantSearch(Path home, List<Path> blocked, String why) {
        if (blocked.isEmpty()) {
            return;
        }
        if (!Files.isExecutable(Path.of(program("setfacl")))) {
            throw new ConfigException(why + ", which cannot reach " + home + " because it may not pass through "
                    + blocked + ". Install the acl package (setfacl), so that Keyward can grant that account search"
                    + " permission there, or set KEYWARD_HOME to a directory under a path every account may pass"
                    + " (e.g. /var/lib/keyward)");
        }
        for (Path p : blocked) {
            Processes.Result r = Processes.run(new ProcessBuilder(program("setfacl"), "-m", "u:" + name + ":x", p.toString()),
                    null, TIMEOUT);
            if (!r.ok()) {
                throw new ConfigException(why + ", which cannot pass through " + p + ", and granting it search"
                        + " permission failed (setfacl: " + r.tail() + "); set KEYWARD_HOME to a directory under a"
                        + " path every account may pass");
            }
            LOG.warn("Granted the system account {} search permission (x, nothing else) on {} with a POSIX ACL, so"
                    + " that it reaches {}; undo with: setfacl -x u:{} {}", name, p, home, name, p);
        }
    }

    private static void restrict(Path home, String mode) {
        try {
            Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the mode of " + home + ": " + e.getMessage(), e);
        }
    }

    /** Whether the account may pass through {@code dir} (asked of the kernel: mode bits, ACLs and all). */
    boolean canSearch(Path dir) {
        if (!switchUser) {
            return true;
        }
        return Processes.run(command(Path.of("/"), List.of("test", "-x", dir.toString())), null, TIMEOUT).ok();
    }

    /** Gives everything under {@code dir} (not following links) to the account; used when a cluster changes hands. */
    void chownTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    own(d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    own(f);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give " + dir + " to the account " + name + ": " + e.getMessage(), e);
        }
    }

    /** Gives one file or directory (not a link's target) to the account. */
    void own(Path p) throws IOException {
        if (((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)) != uid) {
            Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        }
        if (((Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)) != gid) {
            Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** Whether {@code p} belongs to the account. */
    boolean owns(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == uid;
    }

    static int processUid() {
        return procSelf("unix:uid");
    }

    private static int processGid() {
        return procSelf("unix:gid");
    }

    private static int procSelf(String attribute) {
        try {
            // /proc/self belongs to the process's effective user and group
            return (Integer) Files.getAttribute(Path.of("/proc/self"), attribute);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self: " + e.getMessage(), e);
        }
    }

    private static java.util.Optional<PgAccount> lookup(String account) {
        Processes.Result r = Processes.run(new ProcessBuilder(program("getent"), "passwd", account), null, TIMEOUT);
        if (!r.ok()) {
            return java.util.Optional.empty();
        }
        String[] f = r.output().strip().split(":", -1);
        if (f.length < 4) {
            throw new IllegalStateException("getent passwd " + account + " printed an unexpected line");
        }
        int accountUid = Integer.parseInt(f[2]);
        if (accountUid == 0) {
            throw new ConfigException("the account " + account + " has uid 0; the embedded PostgreSQL needs an"
                    + " unprivileged account");
        }
        return java.util.Optional.of(new PgAccount(account, accountUid, Integer.parseInt(f[3]), true));
    }

    private static void create() {
        String shell = Files.isExecutable(Path.of("/usr/sbin/nologin")) ? "/usr/sbin/nologin" : "/sbin/nologin";
        Processes.Result r = Processes.run(new ProcessBuilder(program("useradd"), "--system", "--user-group", "--no-create-home",
                "--home-dir", "/nonexistent", "--shell", shell, "--comment", "Keyward", SYSTEM_ACCOUNT), null, TIMEOUT);
        if (!r.ok() && lookup(SYSTEM_ACCOUNT).isEmpty()) {
            throw new IllegalStateException("cannot create the system account " + SYSTEM_ACCOUNT
                    + " for the embedded PostgreSQL (useradd: " + r.tail() + ")");
        }
        LOG.info("Created the system account {} (no login, no home)", SYSTEM_ACCOUNT);
    }

    /** The absolute path of a system program (PATH, then the sbin directories), or its bare name when not found. */
    static String program(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && dir.startsWith("/") && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return name;
    }
}
