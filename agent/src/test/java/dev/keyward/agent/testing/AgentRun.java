package dev.keyward.agent.testing;

import dev.keyward.agent.cli.KeywardAgentCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The agent's command line run in-process with its stdout and stderr captured.
 *
 * @param exitCode what {@code keyward-agent} would exit with
 * @param out      what it printed on stdout
 * @param err      what it printed on stderr
 */
public record AgentRun(int exitCode, String out, String err) {
    public static AgentRun of(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int rc = KeywardAgentCli.execute(args);
            return new AgentRun(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
