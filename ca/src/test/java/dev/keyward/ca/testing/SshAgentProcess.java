package dev.keyward.ca.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real ssh-agent in the foreground ({@code -D}) on a socket of the test's, stopped by its PID. */
public final class SshAgentProcess implements AutoCloseable {
    private final Process process;
    private final Path socket;

    private SshAgentProcess(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    public static SshAgentProcess start(Path sock, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh-agent", "-D", "-a", sock.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        SshAgentProcess agent = new SshAgentProcess(p, sock);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(sock)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                agent.close();
                throw new IOException("ssh-agent did not create " + sock + ": " + Files.readString(log));
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
