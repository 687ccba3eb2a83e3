package dev.keyward.web.db.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away local account for a test (root only), made with {@code useradd} and removed with {@code userdel}:
 * another user of the machine, as an attacker on a shared host would be.
 */
final class LocalUser implements AutoCloseable {
    private final String name;

    private LocalUser(String name) {
        this.name = name;
    }

    static LocalUser create() throws IOException, InterruptedException {
        String name = "kwprobe" + UUID.randomUUID().toString().substring(0, 8);
        Result r = exec(List.of("useradd", "--no-create-home", "--shell", "/bin/sh", name), Map.of());
        if (r.exitCode() != 0) {
            throw new IllegalStateException("useradd failed: " + r.output());
        }
        return new LocalUser(name);
    }

    String name() {
        return name;
    }

    /** Runs {@code command} as this user (no supplementary groups), with {@code env}; waits at most 60 s. */
    Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + name, "--regid=" + name, "--clear-groups",
                "--"));
        cmd.addAll(List.of(command));
        return exec(cmd, env);
    }

    record Result(int exitCode, String output) {
    }

    static Result exec(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(new java.io.File("/"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(command + " did not finish");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        exec(List.of("userdel", name), Map.of());
    }
}
