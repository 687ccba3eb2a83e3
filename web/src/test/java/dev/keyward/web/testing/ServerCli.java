package dev.keyward.web.testing;

import dev.keyward.web.cli.KeywardServerCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** {@code keyward-server ARGS...} in this JVM, with its stdout and stderr captured. */
public final class ServerCli {
    private ServerCli() {
    }

    /** Exit code and what the command printed. */
    public record Run(int code, String out, String err) {
        /** stdout then stderr, for assertions on either. */
        public String output() {
            return out + err;
        }
    }

    public static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = KeywardServerCli.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
