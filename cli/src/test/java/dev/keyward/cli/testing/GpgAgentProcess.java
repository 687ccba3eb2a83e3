package dev.keyward.cli.testing;

import dev.keyward.ca.testing.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real gpg-agent with its ssh-agent emulation ({@code enable-ssh-support}), in the foreground in its own GnuPG home
 * under the test's temp dir, stopped by its PID. gpg-agent asks a pinentry for a passphrase to protect every ssh key
 * it is given; a script here answers with an empty one, so no person is needed.
 */
public final class GpgAgentProcess implements AutoCloseable {
    private final Process process;
    private final Path socket;

    private GpgAgentProcess(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    /** Whether gpg-agent and gpgconf are installed (Debian: gpg-agent). */
    public static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/gpg-agent")) && Files.isExecutable(Path.of("/usr/bin/gpgconf"));
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
        ProcessBuilder pb = new ProcessBuilder("gpg-agent", "--homedir", home.toString(), "--daemon", "--no-detach")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("GNUPGHOME", home.toString()));
        Process p = pb.start();
        GpgAgentProcess agent = new GpgAgentProcess(p, sock);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(sock)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                agent.close();
                throw new IOException("gpg-agent did not create " + sock + ": " + Files.readString(log));
            }
            Thread.sleep(20);
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
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
