package dev.keyward.cli.ssh;

import dev.keyward.ca.InvalidInputException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an OpenSSH tool (ssh-add, ssh-keygen) with an explicit environment. Interactive runs share the
 * terminal (so the tool can ask for a passphrase itself); others read /dev/null and have their output captured.
 */
final class Proc {
    record Result(int exitCode, String stdout, String stderr) {
        String output() {
            return (stdout + stderr).strip();
        }
    }

    private Proc() {
    }

    static Result run(List<String> command, Map<String, String> env, boolean interactive, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Path out = null;
        Path err = null;
        try {
            if (interactive) {
                pb.inheritIO();
            } else {
                out = Files.createTempFile("keyward", ".out");
                err = Files.createTempFile("keyward", ".err");
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new InvalidInputException(command.get(0) + " did not finish within " + timeout.toSeconds()
                        + " s");
            }
            return new Result(p.exitValue(), out == null ? "" : Files.readString(out, StandardCharsets.UTF_8),
                    err == null ? "" : Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidInputException("cannot run " + command.get(0) + " (is OpenSSH installed?): "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidInputException("interrupted while running " + command.get(0));
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left in /tmp is harmless; the command's result matters more
            }
        }
    }
}
