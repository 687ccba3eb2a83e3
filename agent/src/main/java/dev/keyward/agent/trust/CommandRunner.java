package dev.keyward.agent.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short external command (sshd -t, the reload command) with a deadline; output is captured. */
public final class CommandRunner {
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private CommandRunner() {
    }

    public static Result run(List<String> command, long timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        // drain the output on a side thread so a chatty command cannot block on a full pipe; keep the first 64 KiB
        Thread reader = Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[8192];
            try (var in = p.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (out) {
                        if (out.size() < 65536) {
                            out.write(buf, 0, Math.min(n, 65536 - out.size()));
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process went away: what was read is what there is
            }
        });
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            reader.join(TimeUnit.SECONDS.toMillis(5));
            synchronized (out) {
                return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
    }
}
