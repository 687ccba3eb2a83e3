package dev.keyward.web.engineer;

import dev.keyward.cli.KeywardCli;
import dev.keyward.cli.config.CliEnv;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code keyward} run in-process on its own thread, so that a test can read what it prints while it waits for a
 * sign-in (the device code, the URL it opened) and act as the engineer at the identity provider meanwhile.
 */
final class CliRun {
    private static final Pattern DEVICE = Pattern.compile("To sign in, open (\\S+) and enter the code (\\S+)\\n"
            + "  \\(or open (\\S+)\\)");

    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\nstdout:\n" + out + "stderr:\n" + err;
        }
    }

    /** What {@code login --device} printed. */
    record DevicePrompt(URI verificationUri, String userCode, URI complete) {
    }

    private final StringWriter out = new StringWriter(); // a StringBuffer inside: safe to read from another thread
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exit;

    private CliRun(Map<String, String> env, String... args) {
        exit = CompletableFuture.supplyAsync(() -> KeywardCli.run(args, new PrintWriter(out, true),
                new PrintWriter(err, true), new CliEnv(env, false, Clock.systemUTC())));
    }

    static CliRun start(Map<String, String> env, String... args) {
        return new CliRun(env, args);
    }

    /** Runs to the end. */
    static Result run(Map<String, String> env, String... args) {
        return start(env, args).await(Duration.ofMinutes(2));
    }

    String out() {
        return out.toString();
    }

    /** Waits (bounded) for the device prompt; fails with what was printed if the CLI ended first. */
    DevicePrompt awaitDevicePrompt() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = DEVICE.matcher(out.toString());
            if (m.find()) {
                return new DevicePrompt(URI.create(m.group(1)), m.group(2), URI.create(m.group(3)));
            }
            if (exit.isDone()) {
                throw new AssertionError("keyward ended before printing a device code:\n" + await(Duration.ZERO));
            }
            pause();
        }
        throw new AssertionError("no device code within 60 s:\n" + out + err);
    }

    /** Waits (bounded) until the output contains {@code text}. */
    void awaitOutput(String text) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!out.toString().contains(text)) {
            if (exit.isDone() || System.nanoTime() > deadline) {
                throw new AssertionError("keyward did not print '" + text + "':\n" + out + err);
            }
            pause();
        }
    }

    Result await(Duration timeout) {
        try {
            int code = exit.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return new Result(code, out.toString(), err.toString());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("keyward did not finish within " + timeout.toSeconds() + " s:\n" + out + err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("keyward threw", e.getCause());
        }
    }

    Optional<Result> resultIfDone() {
        return exit.isDone() ? Optional.of(await(Duration.ZERO)) : Optional.empty();
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
