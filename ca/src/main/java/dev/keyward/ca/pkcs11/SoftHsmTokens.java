package dev.keyward.ca.pkcs11;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Initialises a SoftHSM2 token with OpenSC's {@code pkcs11-tool} (the dev key store of the server, and test
 * fixtures). The SO and user PINs reach the tool only through environment variables ({@code --pin env:VAR}),
 * never on its command line.
 */
public final class SoftHsmTokens {
    private static final String SO_PIN_ENV = "KEYWARD_SOFTHSM_SO_PIN";
    private static final String USER_PIN_ENV = "KEYWARD_SOFTHSM_USER_PIN";

    private SoftHsmTokens() {
    }

    /**
     * Initialises the uninitialised token at {@code slotIndex} of {@code module} with {@code label}, then sets its
     * user PIN. {@code conf} is the SOFTHSM2_CONF the tool must see (its token directory).
     */
    public static void init(Path module, Path conf, int slotIndex, String label, String soPin, String userPin) {
        Map<String, String> env = Map.of("SOFTHSM2_CONF", conf.toString(), SO_PIN_ENV, soPin, USER_PIN_ENV, userPin);
        String m = module.toString();
        run(env, List.of("pkcs11-tool", "--module", m, "--slot-index", Integer.toString(slotIndex), "--init-token",
                "--label", label, "--so-pin", "env:" + SO_PIN_ENV));
        run(env, List.of("pkcs11-tool", "--module", m, "--token-label", label, "--login", "--login-type", "so",
                "--so-pin", "env:" + SO_PIN_ENV, "--init-pin", "--pin", "env:" + USER_PIN_ENV));
    }

    /** Runs a tool with {@code env} added to this JVM's environment; fails with its output unless it exits 0. */
    public static String run(Map<String, String> env, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish in 60 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n"
                        + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + " (apt-get install -y opensc)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }
}
