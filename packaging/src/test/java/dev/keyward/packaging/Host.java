package dev.keyward.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** The machine the package tests run on: commands with bounded waits, and whether the tests can run at all. */
final class Host {
    private Host() {
    }

    /** A finished command. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    /** Runs {@code command} (no shell) with {@code env} added, waiting at most {@code seconds}. */
    static Result run(List<String> command, Map<String, String> env, long seconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(env);
            Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            CompletableFuture<String> out = read(p.getInputStream());
            CompletableFuture<String> err = read(p.getErrorStream());
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(command + " did not finish within " + seconds + " s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Result run(String... command) {
        return run(List.of(command), Map.of(), 300);
    }

    /** Runs {@code command} and fails the test with its output unless it exits 0. */
    static Result ok(String... command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", command) + ": " + r);
        }
        return r;
    }

    private static CompletableFuture<String> read(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** Skips the test, saying why, unless this is a Debian-family machine and the test runs as root. */
    static void assumeRootOnDebian() {
        boolean root = uid() == 0;
        boolean debian = Files.exists(Path.of("/etc/debian_version")) && Files.isExecutable(Path.of("/usr/bin/dpkg"));
        if (!root || !debian) {
            String why = "skipped: installing packages needs root on Debian (root: " + root + ", Debian: " + debian
                    + ")";
            System.out.println(why);
            Assumptions.assumeTrue(false, why);
        }
    }

    static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The real user ID of process {@code pid} (the {@code Uid:} line of /proc/PID/status). */
    static int uidOf(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.split("\\s+")[1]);
            }
        }
        throw new AssertionError("no Uid line for process " + pid);
    }

    /** passwd fields of {@code account}, or an empty list when there is no such account. */
    static List<String> passwd(String account) {
        Result r = run("getent", "passwd", account);
        return r.ok() ? List.of(r.stdout().strip().split(":", -1)) : List.of();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Stops {@code p} (SIGTERM, then SIGKILL after {@code seconds}) and returns whether it exited on SIGTERM. */
    static boolean stop(Process p, long seconds) throws InterruptedException {
        if (!p.isAlive()) {
            return true;
        }
        p.destroy();
        if (p.waitFor(seconds, TimeUnit.SECONDS)) {
            return true;
        }
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        return false;
    }

    static List<String> words(String... w) {
        return new ArrayList<>(List.of(w));
    }
}
