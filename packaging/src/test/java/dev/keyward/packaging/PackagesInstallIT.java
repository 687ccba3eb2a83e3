package dev.keyward.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb files of this module, installed for real with {@code apt-get install ./*.deb} (as the docs say) on this (Debian 12) machine and purged at
 * the end: lintian finds no error in them; {@code systemd-analyze verify} accepts the installed units; postinst made
 * the keyward user and a 0700 state directory; the server, started exactly as its unit's {@code ExecStart} (same
 * command line, {@code Environment=}, {@code User=}, working directory and umask; through {@code setpriv}, as this
 * machine has no systemd as PID 1) on the embedded defaults, gets ready; {@code keyward-server token create} run as
 * the keyward user (as the docs say) makes tokens; the packaged agent enrolls against it (under {@code --root}, so
 * the machine's /etc/ssh is untouched) and runs a cycle; the packaged CLI logs in with an engineer token; the
 * packaged launcher started by root runs the server as keyward; installing again keeps account, data and a changed
 * conffile. A plain
 * remove keeps the CA's data; the purge removes what postinst made. Skipped (saying why) unless root on Debian.
 */
class PackagesInstallIT {
    private static final List<String> PACKAGES =
            List.of("keyward-runtime", "keyward-server", "keyward-agent", "keyward");
    private static final Path STATE = Path.of("/var/lib/keyward");
    private static final Path UNIT = Path.of("/lib/systemd/system/keyward-server.service");
    private static final Path WANTS = Path.of("/etc/systemd/system/multi-user.target.wants");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final Path debs = Path.of(System.getProperty("keyward.debs", "target/debs"));

    @Test
    void installRunEnrollLogInAndPurge() throws Exception {
        Host.assumeRootOnDebian();
        List<Path> files = PACKAGES.stream().map(p -> debs.resolve(p + ".deb")).toList();
        files.forEach(f -> assertTrue(Files.isRegularFile(f), f + " was not built"));

        // lintian: warnings printed, no error (overrides carry their reasons in the package)
        Host.Result lint = Host.run(concat(List.of("lintian", "--tag-display-limit", "0"),
                files.stream().map(Path::toString).toList()), Map.of(), 600);
        System.out.println("lintian:\n" + lint.stdout() + lint.stderr());
        assertFalse(lint.stdout().lines().anyMatch(l -> l.startsWith("E:")), "lintian errors:\n" + lint.stdout());

        for (String p : PACKAGES) {
            if (Host.run("dpkg-query", "-W", "-f=${Status}", p).stdout().contains("installed")) {
                org.junit.jupiter.api.Assumptions.assumeTrue(false, "skipped: " + p + " is installed on this machine");
            }
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(STATE) || Files.exists(Path.of("/etc/keyward")),
                "skipped: /var/lib/keyward or /etc/keyward exists on this machine and is not this test's to purge");
        // keyward-server started as root elsewhere on this machine may have made the account already: it is put
        // back as it was after the purge
        List<String> accountBefore = Host.passwd("keyward");
        Process server = null;
        try {
            // as README.md and the operator's guide say: apt installs local .deb files with their dependencies
            Host.Result installed = Host.run(concat(List.of("apt-get", "install", "-y", "-q"),
                    files.stream().map(Path::toString).toList()), Map.of("DEBIAN_FRONTEND", "noninteractive"), 600);
            assertTrue(installed.ok(), "apt-get install of the packages: " + installed);

            List<String> account = Host.passwd("keyward");
            assertEquals("/usr/sbin/nologin", account.get(6), "a system account without a login shell");
            int uid = Integer.parseInt(account.get(2));
            assertTrue(uid > 0 && uid < 1000, "a system uid: " + account);
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(STATE)));
            assertEquals("keyward", Files.getOwner(STATE).getName());
            assertTrue(Host.ok("dpkg-query", "-W", "-f=${Conffiles}", "keyward-server").stdout()
                    .contains("/etc/keyward/keyward.yaml"));
            assertTrue(Host.ok("dpkg-query", "-W", "-f=${Conffiles}", "keyward-agent").stdout()
                    .contains("/etc/keyward/agent.conf"));
            assertTrue(Files.isSymbolicLink(WANTS.resolve("keyward-server.service")),
                    "the server's unit is enabled on install");
            assertFalse(Files.exists(WANTS.resolve("keyward-agent.service")),
                    "the agent's unit waits for enrollment");

            // systemd-analyze verify reads unit files offline: it needs no systemd as PID 1
            for (String unit : List.of("keyward-server.service", "keyward-agent.service")) {
                Host.Result v = Host.run("systemd-analyze", "verify", "/lib/systemd/system/" + unit);
                System.out.println("systemd-analyze verify " + unit + ": " + v);
                assertEquals(0, v.exitCode(), v.toString());
            }

            // why the unit leaves MemoryDenyWriteExecute= off: under the same W^X rule (prctl PR_SET_MDWE, Linux 6.3+,
            // which systemd uses where the kernel has it) the JVM cannot start: its JIT writes code it then runs
            if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
                Host.Result wx = Host.run(List.of("python3", "-c", "import ctypes, os, sys\n"
                        + "if ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0: sys.exit(77)\n"
                        + "os.execv(sys.argv[1], [sys.argv[1], '-version'])", "/usr/lib/keyward/runtime/bin/java"),
                        Map.of(), 60);
                System.out.println("the packaged JVM under MemoryDenyWriteExecute's rule: " + wx);
                if (wx.exitCode() != 77) {
                    assertTrue(wx.exitCode() != 0
                            && (wx.stdout() + wx.stderr()).contains("Failed to mark memory page as executable"),
                            wx.toString());
                }
            }

            // the server as its unit starts it
            int port = Host.freePort();
            Path log = tmp.resolve("server.log");
            server = unitCommand(UNIT, Map.of("KEYWARD_HTTP_PORT", Integer.toString(port)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            String url = "http://127.0.0.1:" + port;
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            awaitReady(http, url, server, log);
            assertEquals(uid, Host.uidOf(server.pid()), "the JVM runs as keyward");
            assertEquals("keyward", Files.getOwner(STATE.resolve("pgdata")).getName());
            String text = Files.readString(log);
            assertTrue(text.contains("SoftHSM2 token") || text.contains("SOFTWARE KEYS"), text);

            // tokens as the docs say: keyward-server token create, run as the keyward user
            String admin = tokenCreate("--name", "ops", "--role", "admin", "--ttl", "1h");
            String engineer = tokenCreate("--name", "alice", "--role", "engineer", "--username", "alice",
                    "--ttl", "1h");

            // the packaged agent enrolls (under --root: the machine's /etc/ssh stays as it is) and runs a cycle
            HttpResponse<String> host = post(http, url + "/api/v1/hosts", admin, Map.of("hostname", "pkg.example.com"));
            assertEquals(201, host.statusCode(), host.body());
            Path root = agentRoot();
            Path joinToken = Files.writeString(tmp.resolve("join-token"),
                    JSON.readTree(host.body()).get("join_token").asText());
            Files.setPosixFilePermissions(joinToken, PosixFilePermissions.fromString("rw-------"));
            Host.ok("/usr/bin/keyward-agent", "enroll", "--root", root.toString(), "--server", url,
                    "--join-token-file", joinToken.toString());
            assertTrue(Files.isRegularFile(root.resolve("var/lib/keyward-agent/credential")));
            Host.ok("/usr/bin/keyward-agent", "once", "--root", root.toString(), "--log-source", "none");
            assertTrue(Files.size(root.resolve("etc/ssh/keyward/revoked_keys")) > 0, "the KRL was installed");
            assertTrue(Files.readString(root.resolve("etc/ssh/ssh_host_ed25519_key-cert.pub"))
                    .startsWith("ssh-ed25519-cert-v01@openssh.com "));

            // the packaged CLI logs in with the engineer's token (from a 0600 file, never the command line)
            Path home = Files.createDirectories(tmp.resolve("alice"));
            Path key = home.resolve("id_ed25519");
            Host.ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
            Path tokenFile = Files.writeString(home.resolve("token"), engineer + "\n");
            Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
            Host.Result login = Host.run(List.of("/usr/bin/keyward", "login", "--server", url, "--key", key.toString(),
                    "--token-file", tokenFile.toString(), "--no-agent"), Map.of("HOME", home.toString()), 120);
            assertEquals(0, login.exitCode(), login.toString());
            String cert = Host.ok("ssh-keygen", "-L", "-f", key + "-cert.pub").stdout();
            assertTrue(cert.contains("alice"), cert);

            assertTrue(Host.stop(server, 60), "the server stops on SIGTERM");
            server = null;

            // the packaged launcher started by root from a shell runs the JVM as keyward too
            int rootPort = Host.freePort();
            ProcessBuilder asRoot = new ProcessBuilder("/usr/bin/keyward-server", "serve", "--config",
                    "/etc/keyward/keyward.yaml").directory(tmp.toFile());
            asRoot.environment().keySet().removeIf(k -> k.startsWith("KEYWARD_") || k.equals("SOFTHSM2_CONF"));
            asRoot.environment().put("KEYWARD_HTTP_PORT", Integer.toString(rootPort));
            Path rootLog = tmp.resolve("server-as-root.log");
            server = asRoot.redirectErrorStream(true).redirectOutput(rootLog.toFile()).start();
            awaitReady(http, "http://127.0.0.1:" + rootPort, server, rootLog);
            assertEquals(uid, Host.uidOf(server.pid()), "started by root, runs as keyward");
            assertTrue(Host.stop(server, 60), "the server stops on SIGTERM");
            server = null;

            // installing again (an upgrade): postinst is idempotent, the account and the data stay, a conffile the
            // admin changed is kept
            Path conf = Path.of("/etc/keyward/keyward.yaml");
            Files.writeString(conf, "# changed by the admin\n", java.nio.file.StandardOpenOption.APPEND);
            Host.ok("dpkg", "-i", "--force-confold", debs.resolve("keyward-server.deb").toString());
            assertEquals(account, Host.passwd("keyward"));
            assertTrue(Files.isDirectory(STATE.resolve("pgdata")));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(STATE)));
            assertTrue(Files.readString(conf).endsWith("# changed by the admin\n"), "the admin's conffile is kept");

            // a plain remove keeps the CA's data and the configuration
            Host.ok("dpkg", "-r", "keyward-server");
            assertTrue(Files.isDirectory(STATE.resolve("pgdata")), "remove keeps /var/lib/keyward");
            assertTrue(Files.exists(Path.of("/etc/keyward/keyward.yaml")), "remove keeps the conffile");
            assertFalse(Host.passwd("keyward").isEmpty(), "remove keeps the account");
        } finally {
            if (server != null) {
                Host.stop(server, 60);
            }
            // processes of the account outside this test (keyward-server run as root elsewhere on this machine: its
            // embedded PostgreSQL runs as keyward) keep the account: userdel refuses, postrm says so
            boolean accountInUse = Host.run("pgrep", "-u", "keyward").ok();
            Host.Result purge = Host.run(concat(List.of("dpkg", "--purge"), PACKAGES.reversed()), Map.of(), 300);
            System.out.println("dpkg --purge: " + purge);
            try {
                assertEquals(0, purge.exitCode(), purge.toString());
                // what postinst made is gone
                assertFalse(Files.exists(STATE), "purge removes /var/lib/keyward");
                assertFalse(Files.exists(Path.of("/etc/keyward")), "purge removes the configuration");
                if (accountInUse) {
                    System.out.println("the keyward account is used by other processes: the purge kept it");
                    assertTrue(purge.stderr().contains("kept the keyward account"), purge.toString());
                } else {
                    assertTrue(Host.passwd("keyward").isEmpty(), "purge removes the keyward user");
                    assertFalse(Host.run("getent", "group", "keyward").ok(), "purge removes the keyward group");
                }
                assertFalse(Files.exists(Path.of("/usr/lib/keyward")));
                assertFalse(Files.exists(UNIT));
                assertFalse(Files.exists(WANTS.resolve("keyward-server.service")));
            } finally {
                restoreAccount(accountBefore);
            }
        }
    }

    /**
     * The command its unit runs, with its environment, user, group, working directory and umask: what systemd does
     * with {@code User=}, {@code Group=}, {@code Environment=}, {@code WorkingDirectory=}, {@code UMask=} and
     * {@code ExecStart=} (the sandbox settings need systemd itself).
     */
    static ProcessBuilder unitCommand(Path unit, Map<String, String> extraEnv) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(unit)) {
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq < 0) {
                continue;
            }
            String k = line.substring(0, eq);
            String v = line.substring(eq + 1);
            if (k.equals("Environment")) {
                int e = v.indexOf('=');
                env.put(v.substring(0, e), v.substring(e + 1));
            } else {
                keys.put(k, v);
            }
        }
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + keys.get("User"),
                "--regid=" + keys.get("Group"), "--init-groups", "--no-new-privs", "--",
                "sh", "-c", "umask " + keys.get("UMask") + " && cd \"$0\" && exec \"$@\"",
                keys.get("WorkingDirectory")));
        cmd.addAll(List.of(keys.get("ExecStart").split(" ")));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
        pb.environment().put("LANG", "C.UTF-8");
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        return pb;
    }

    private static void awaitReady(HttpClient http, String url, Process server, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (System.nanoTime() < deadline && server.isAlive()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/readyz"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the server did not get ready (alive: " + server.isAlive() + "):\n"
                + Files.readString(log));
    }

    /** {@code keyward-server token create ...} as the keyward user; returns the token it printed. */
    private static String tokenCreate(String... args) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "keyward", "--", "/usr/bin/keyward-server", "token",
                "create", "--config", "/etc/keyward/keyward.yaml"));
        cmd.addAll(List.of(args));
        Host.Result r = Host.run(cmd, Map.of(), 120);
        assertEquals(0, r.exitCode(), r.toString());
        return r.stdout().strip();
    }

    private static HttpResponse<String> post(HttpClient http, String url, String token, Map<String, Object> body)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A --root tree for the agent: an /etc/passwd with root, and an Ed25519 host key. */
    private Path agentRoot() throws IOException {
        Path root = tmp.resolve("host");
        Files.createDirectories(root.resolve("etc/ssh"));
        Files.createDirectories(root.resolve("root"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Host.ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                root.resolve("etc/ssh/ssh_host_ed25519_key").toString());
        return root;
    }

    /** Puts back the keyward account that was there before the test (same IDs), if there was one. */
    private static void restoreAccount(List<String> before) {
        if (before.isEmpty() || !Host.passwd("keyward").isEmpty()) {
            return;
        }
        Host.run("groupadd", "--system", "--gid", before.get(3), "keyward");
        Host.ok("useradd", "--system", "--uid", before.get(2), "--gid", before.get(3), "--no-create-home", "--home-dir",
                before.get(5), "--shell", before.get(6), "--comment", before.get(4), "keyward");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
