package dev.keyward.web.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code keyward-server} in its own JVM, started from this test JVM's classpath (the shaded jar is built only at
 * {@code package}, after the tests), logging to a file, and stopped by its PID (SIGTERM, then SIGKILL).
 */
public final class ServerProcess implements AutoCloseable {
    public static final String MAIN = "dev.keyward.web.cli.KeywardServerCli";
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
    public static ServerProcess serve(String name, Path config, Path logDir) throws IOException {
        return start(name, logDir, Map.of(), "serve", "--config", config.toString());
    }

    /**
     * Starts {@code keyward-server serve} on the embedded defaults of {@code home} (no configuration file), with
     * {@code env} added to an environment that holds no other {@code KEYWARD_*} variable.
     */
    public static ServerProcess serveEmbedded(String name, Path home, Map<String, String> env, Path logDir)
            throws IOException {
        return serveEmbedded(name, home, env, logDir, List.of());
    }

    /** {@link #serveEmbedded(String, Path, Map, Path)} with {@code options} after {@code serve}. */
    public static ServerProcess serveEmbedded(String name, Path home, Map<String, String> env, Path logDir,
            List<String> options) throws IOException {
        Map<String, String> all = new HashMap<>(env);
        all.put("KEYWARD_HOME", home.toString());
        all.putIfAbsent("KEYWARD_HTTP_PORT", "0");
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(options);
        return start(name, logDir, all, args.toArray(String[]::new));
    }

    private static ServerProcess start(String name, Path logDir, Map<String, String> env, String... args)
            throws IOException {
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command(args)).directory(logDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (!env.isEmpty()) {
            pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARD_") || k.equals("SOFTHSM2_CONF"));
            pb.environment().putAll(env);
        }
        return new ServerProcess(name, pb.start(), log);
    }

    /** Runs another subcommand to completion (e.g. audit verify); returns exit code and output. */
    public static Result run(Path logDir, String... args) throws IOException, InterruptedException {
        return run(logDir, Map.of(), args);
    }

    /** {@link #run(Path, String...)} with {@code env} replacing this JVM's {@code KEYWARD_*} variables. */
    public static Result run(Path logDir, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(logDir, "cli", ".out");
        ProcessBuilder pb = new ProcessBuilder(command(args)).directory(logDir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (!env.isEmpty()) {
            pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARD_") || k.equals("SOFTHSM2_CONF"));
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("keyward-server " + String.join(" ", args) + " did not finish: " + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    public record Result(int exitCode, String output) {
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
    public ServerProcess awaitListening(long seconds) throws IOException, InterruptedException {
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

    public int port() {
        if (port < 0) {
            throw new IllegalStateException(name + " is not listening yet");
        }
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Kills the process with SIGKILL, as {@code kill -9} would: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
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
