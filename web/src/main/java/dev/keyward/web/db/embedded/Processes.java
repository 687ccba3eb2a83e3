package dev.keyward.web.db.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a helper program to completion, with a deadline, capturing what it prints. */
final class Processes {
    private Processes() {
    }

    /** What a finished program exited with and printed (stdout and stderr together). */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        /** The last lines of the output, for an error message. */
        String tail() {
            String s = output.strip();
            return s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000);
        }
    }

    /**
     * Starts {@code pb}, writes {@code stdin} (may be null) to it, and waits at most {@code timeout}; a program that
     * does not finish in time is killed and reported as exit code -1.
     */
    static Result run(ProcessBuilder pb, byte[] stdin, Duration timeout) {
        pb.redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + pb.command().get(0) + ": " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        } catch (IOException e) {
            // the program stopped reading (it failed early); its exit code and output say why
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, text(out) + "\n(killed after " + timeout.toSeconds() + " s)");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + pb.command().get(0), e);
        }
        return new Result(p.exitValue(), text(out));
    }

    private static String text(CompletableFuture<byte[]> out) {
        try {
            return new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }

    private static byte[] readAll(InputStream in) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (in) {
            in.transferTo(b);
        } catch (IOException e) {
            // the process went away; keep what it printed so far
        }
        return b.toByteArray();
    }
}
