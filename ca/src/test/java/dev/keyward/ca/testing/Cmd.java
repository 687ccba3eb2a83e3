package dev.keyward.ca.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived command (ssh-keygen, ssh, ...) with a timeout and captures its output. */
public final class Cmd {
    public record Result(int exitCode, String stdout, String stderr) {
        public Result orThrow() {
            if (exitCode != 0) {
                throw new AssertionError("command failed (" + exitCode + "): " + stderr + stdout);
            }
            return this;
        }
    }

    private Cmd() {
    }

    public static Result run(List<String> command) {
        return run(command, null, Map.of(), null);
    }

    public static Result run(List<String> command, Path dir, Map<String, String> env, String stdin) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        try {
            Path out = java.nio.file.Files.createTempFile("cmd", ".out");
            Path err = java.nio.file.Files.createTempFile("cmd", ".err");
            try {
                pb.redirectOutput(out.toFile()).redirectError(err.toFile());
                if (stdin == null) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                }
                Process p = pb.start();
                if (stdin != null) {
                    try (var os = p.getOutputStream()) {
                        os.write(stdin.getBytes(StandardCharsets.UTF_8));
                    }
                }
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("command timed out: " + command);
                }
                return new Result(p.exitValue(), java.nio.file.Files.readString(out), java.nio.file.Files.readString(err));
            } finally {
                java.nio.file.Files.deleteIfExists(out);
                java.nio.file.Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Generates an OpenSSH key pair with ssh-keygen (no passphrase) and returns the private key path. */
    public static Path sshKeygen(Path dir, String name, String type, int bits) {
        Path key = dir.resolve(name);
        List<String> cmd = new java.util.ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", name,
                "-f", key.toString()));
        if (bits > 0) {
            cmd.add("-b");
            cmd.add(Integer.toString(bits));
        }
        run(cmd).orThrow();
        return key;
    }
}
