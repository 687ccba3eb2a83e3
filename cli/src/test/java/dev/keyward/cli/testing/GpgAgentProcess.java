package dev.keyward.cli.testing;

import dev.keyward.ca.testing.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real gpg-agent with its ssh-agent emulation ({@code enable-ssh-support}) in its own GnuPG home under the test's
 * temp dir. {@code gpg-agent --daemon} forks and its first process exits (even with {@code --no-detach}), so the
 * daemon's PID is asked of the daemon itself ({@code gpg-connect-agent 'getinfo pid'}) and it is stopped by that PID.
 * gpg-agent asks a pinentry for a passphrase to protect every ssh key it is given; a script here answers with an
 * empty one, so no person is needed.
 */
public final class GpgAgentProcess implements AutoCloseable {
    private final ProcessHandle process;
    private final Path socket;

    private GpgAgentProcess(ProcessHandle process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    /** Whether gpg-agent, gpgconf and gpg-connect-agent are installed (Debian: gpg-agent, gpgconf). */
    public static boolean installed() {
        return Stream.of("gpg-agent", "gpgconf", "gpg-connect-agent")
                .allMatch(t -> Files.isExecutable(Path.of("/usr/bin", t)));
    }

    public static GpgAgentProcess start(Path dir) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("gnupg"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Path pinentry = dir.resolve("pinentry.sh");
        // the Assuan pinentry protocol: OK to every command, an empty passphrase for GETPIN
        Files.writeString(pinentry, """
                #!/bin/sh
                echo "OK ready"
                while read -r cmd rest; do
                  case "$cmd" in
                    GETPIN) echo "D "; echo "OK";;
                    BYE) echo "OK"; exit 0;;
                    *) echo "OK";;
                  esac
                done
                """);
        Files.setPosixFilePermissions(pinentry, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(home.resolve("gpg-agent.conf"), "enable-ssh-support\npinentry-program " + pinentry + "\n");
        Path sock = Path.of(Cmd.run(List.of("gpgconf", "--homedir", home.toString(), "--list-dirs",
                "agent-ssh-socket")).orThrow().stdout().strip());
        Path log = dir.resolve("gpg-agent.log");
        ProcessBuilder pb = new ProcessBuilder("gpg-agent", "--homedir", home.toString(), "--daemon")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("GNUPGHOME", home.toString()));
        Process launcher = pb.start();
        if (!launcher.waitFor(10, TimeUnit.SECONDS) || launcher.exitValue() != 0) {
            launcher.destroyForcibly();
            throw new IOException("gpg-agent --daemon failed: " + Files.readString(log));
        }
        // "D <pid>" then "OK"
        String info = Cmd.run(List.of("gpg-connect-agent", "--homedir", home.toString(), "getinfo pid", "/bye"))
                .orThrow().stdout();
        long pid = info.lines().filter(l -> l.startsWith("D ")).mapToLong(l -> Long.parseLong(l.substring(2).strip()))
                .findFirst().orElseThrow(() -> new IOException("gpg-agent did not say its pid: " + info));
        java.util.Optional<ProcessHandle> daemon = ProcessHandle.of(pid);
        if (daemon.isEmpty()) {
            throw new IOException("gpg-agent " + pid + " is gone: " + Files.readString(log));
        }
        GpgAgentProcess agent = new GpgAgentProcess(daemon.get(), sock);
        if (!Files.exists(sock)) {
            agent.close();
            throw new IOException("gpg-agent did not create " + sock + ": " + Files.readString(log));
        }
        return agent;
    }

    public Path socket() {
        return socket;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM to this PID only
        try {
            process.onExit().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
        }
    }
}
