package dev.keyward.agent.trust;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short external command (sshd -t, the reload command, ssh-keygen) with a deadline; output is captured. */
public final class CommandRunner {
    /** At most this much of each output stream is kept. */
    private static final int MAX_OUTPUT = 65536;

    /**
     * @param output standard output (with standard error merged in, for {@link #run(List, long)})
     * @param errors standard error when it was kept apart ({@link #runWithInput}), else empty
     */
    public record Result(int exitCode, String output, String errors) {
        public Result(int exitCode, String output) {
            this(exitCode, output, "");
        }

        public boolean ok() {
            return exitCode == 0;
        }
    }

    private CommandRunner() {
    }

    /** Runs {@code command} with no input; its standard error is merged into {@link Result#output}. */
    public static Result run(List<String> command, long timeoutSeconds) throws IOException {
        return exec(new ProcessBuilder(command).redirectErrorStream(true), null, timeoutSeconds);
    }

    /**
     * Runs {@code command} with {@code input} on its standard input; standard output and standard error are kept
     * apart. An ssh-agent the environment names is not passed on ({@code SSH_AUTH_SOCK}): ssh-keygen then signs
     * with the key file it is given, not with whatever an agent holds.
     */
    public static Result runWithInput(List<String> command, byte[] input, long timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("SSH_AUTH_SOCK");
        return exec(pb, input, timeoutSeconds);
    }

    private static Result exec(ProcessBuilder pb, byte[] input, long timeoutSeconds) throws IOException {
        List<String> command = pb.command();
        if (input == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // drain the outputs on side threads so a chatty command cannot block on a full pipe; keep the first 64 KiB
        Thread outReader = drain(p.getInputStream(), out);
        Thread errReader = pb.redirectErrorStream() ? null : drain(p.getErrorStream(), err);
        try {
            if (input != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(input);
                } catch (IOException e) {
                    // the command exited without reading all of it: its exit code and output say why
                }
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            outReader.join(TimeUnit.SECONDS.toMillis(5));
            if (errReader != null) {
                errReader.join(TimeUnit.SECONDS.toMillis(5));
            }
            return new Result(p.exitValue(), text(out), text(err));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
    }

    private static Thread drain(InputStream stream, ByteArrayOutputStream into) {
        return Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = stream) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (into) {
                        if (into.size() < MAX_OUTPUT) {
                            into.write(buf, 0, Math.min(n, MAX_OUTPUT - into.size()));
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process went away: what was read is what there is
            }
        });
    }

    private static String text(ByteArrayOutputStream b) {
        synchronized (b) {
            return b.toString(StandardCharsets.UTF_8).strip();
        }
    }
}
