package dev.keyward.cli.oidc;

import dev.keyward.cli.config.CliEnv;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Opens the system browser at a URL: the command in {@value #BROWSER_ENV} (the URL appended as its last argument),
 * else {@code open} on macOS, else {@code xdg-open}. Whether a browser can be shown at all is
 * {@link #hasDisplay}: the device grant is used where it cannot.
 */
final class BrowserOpener {
    /** A command that opens a URL, e.g. {@code firefox --new-window}; the URL is appended as one argument. */
    static final String BROWSER_ENV = "KEYWARD_BROWSER";
    /** A browser opener that is still running after this is taken to have worked (xdg-open may wait for it). */
    private static final long SETTLE_MS = 3_000;

    private BrowserOpener() {
    }

    static boolean isMac() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("mac");
    }

    /**
     * Whether a browser can be opened here: {@value #BROWSER_ENV} is set, or a graphical session is ({@code DISPLAY}
     * or {@code WAYLAND_DISPLAY}), or this is a Mac not reached over SSH.
     */
    static boolean hasDisplay(CliEnv env) {
        if (env.get(BROWSER_ENV).isPresent() || env.get("DISPLAY").isPresent()
                || env.get("WAYLAND_DISPLAY").isPresent()) {
            return true;
        }
        return isMac() && env.get("SSH_CONNECTION").isEmpty() && env.get("SSH_TTY").isEmpty();
    }

    /** Starts the browser at {@code url}; false when no opener could be run or it failed at once. */
    static boolean open(CliEnv env, URI url) {
        List<String> cmd = new ArrayList<>();
        Optional<String> custom = env.get(BROWSER_ENV);
        if (custom.isPresent()) {
            cmd.addAll(Arrays.asList(custom.get().strip().split("\\s+")));
        } else {
            cmd.add(isMac() ? "open" : "xdg-open");
        }
        cmd.add(url.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(env.vars());
        try {
            Process p = pb.start();
            if (p.waitFor(SETTLE_MS, TimeUnit.MILLISECONDS)) {
                return p.exitValue() == 0;
            }
            return true; // still running: it is the browser itself, or an opener waiting for it
        } catch (IOException e) {
            return false; // no such command
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
