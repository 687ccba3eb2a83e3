package dev.keyward.ca.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway OpenSSH sshd on 127.0.0.1 and a free port, for end-to-end tests. It logs in VERBOSE to a file,
 * runs as the current user (root in CI), and is stopped by its PID in {@link #close()}.
 */
public final class Sshd implements AutoCloseable {
    public static final String SSHD = "/usr/sbin/sshd";

    private final Path dir;
    private final int port;
    private final Process process;
    private final Path log;
    private final Path hostKey;

    private Sshd(Path dir, int port, Process process, Path log, Path hostKey) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.log = log;
        this.hostKey = hostKey;
    }

    /**
     * Starts sshd with the given extra config lines (e.g. TrustedUserCAKeys, RevokedKeys, HostCertificate,
     * AuthorizedKeysFile). A host key is generated unless {@code hostKey} is given.
     */
    public static Sshd start(Path dir, Path hostKey, List<String> extraConfig) throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(Path.of("/run/sshd"));
        if (hostKey == null) {
            hostKey = Cmd.sshKeygen(dir, "ssh_host_ed25519_key", "ed25519", 0);
        }
        int port = freePort();
        Path log = dir.resolve("sshd.log");
        Path config = dir.resolve("sshd_config");
        List<String> lines = new ArrayList<>(List.of(
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey,
                "PidFile " + dir.resolve("sshd.pid"),
                "LogLevel VERBOSE",
                "UsePAM no",
                "StrictModes no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin yes",
                "AuthorizedKeysFile none"));
        // later lines override earlier ones only where sshd takes the first value: put extras first
        List<String> all = new ArrayList<>(extraConfig);
        for (String l : lines) {
            String key = l.split(" ")[0];
            if (extraConfig.stream().noneMatch(e -> e.split(" ")[0].equalsIgnoreCase(key))) {
                all.add(l);
            }
        }
        Files.write(config, all);
        Cmd.Result check = Cmd.run(List.of(SSHD, "-t", "-f", config.toString()));
        if (check.exitCode() != 0) {
            throw new IOException("sshd -t rejected the test config: " + check.stderr());
        }
        Process p = new ProcessBuilder(SSHD, "-D", "-e", "-f", config.toString(), "-E", log.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.out").toFile()).start();
        Sshd sshd = new Sshd(dir, port, p, log, hostKey);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("sshd exited: " + Files.readString(log));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return sshd;
            } catch (IOException notYet) {
                sleep(20);
            }
        }
        sshd.close();
        throw new IOException("sshd did not start listening on port " + port);
    }

    public int port() {
        return port;
    }

    public Path hostKey() {
        return hostKey;
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    public Path logFile() {
        return log;
    }

    /** Sends SIGHUP (sshd re-executes and re-reads its config and host certificates). */
    public void reload() throws IOException {
        Cmd.run(List.of("kill", "-HUP", Long.toString(process.pid()))).orThrow();
        sleep(300);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                sleep(20);
            }
        }
        throw new IOException("sshd did not come back after SIGHUP");
    }

    /**
     * Runs {@code ssh} as {@code user} with a private key and optional certificate, executing {@code true}.
     * Host keys are not checked unless {@code knownHosts} is given (then strictly).
     */
    public Cmd.Result login(String user, Path identity, Path certificate, Path knownHosts) {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-F", "/dev/null", "-p", Integer.toString(port),
                "-i", identity.toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
                "-o", "PreferredAuthentications=publickey"));
        if (certificate != null) {
            cmd.addAll(List.of("-o", "CertificateFile=" + certificate));
        }
        if (knownHosts != null) {
            cmd.addAll(List.of("-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes",
                    "-o", "GlobalKnownHostsFile=/dev/null"));
        } else {
            cmd.addAll(List.of("-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no"));
        }
        cmd.addAll(List.of(user + "@127.0.0.1", "true"));
        return Cmd.run(cmd, dir, Map.of(), null);
    }

    public static String currentUser() {
        return System.getProperty("user.name");
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM to this PID
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
