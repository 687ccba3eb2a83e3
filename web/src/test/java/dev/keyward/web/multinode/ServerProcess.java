package dev.keyward.web.multinode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code keyward-server} in its own JVM, started from this test JVM's classpath (the shaded jar is built only at
 * {@code package}, after the tests), logging to a file, and stopped by its PID (SIGTERM, then SIGKILL).
 */
final class ServerProcess implements AutoCloseable {
    static final String MAIN = "dev.keyward.web.cli.KeywardServerCli";
    private static final Pattern LISTENING = Pattern.compile("Keyward \\S+ listening on http://127\\.0\\.0\\.1:(\\d+)");

    private final String name;
    private final Process process;
    private final Path log;
    private int port = -1;

    private ServerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code keyward-server serve --config config}; call {@link #awaitListening} before using it. */
    static ServerProcess serve(String name, Path config, Path logDir) throws IOException {
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command("serve", "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new ServerProcess(name, pb.start(), log);
    }

    /** Runs another subcommand to completion (e.g. audit verify); returns exit code and output. */
    static Result run(Path logDir, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(logDir, "cli", ".out");
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("keyward-server " + String.join(" ", args) + " did not finish: " + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    record Result(int exitCode, String output) {
    }

    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC",
                "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
                "--add-opens=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), MAIN));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Waits until the log says where the server listens; fails with the log if the process exits first. */
    ServerProcess awaitListening(long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(log());
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " before listening:\n" + log());
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " did not listen within " + seconds + " s:\n" + log());
    }

    int port() {
        if (port < 0) {
            throw new IllegalStateException(name + " is not listening yet");
        }
        return port;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM to this PID: the server's shutdown hook closes HTTP, keys and the pool
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
