package dev.keyward.agent.cli;

import dev.keyward.agent.client.AgentClient;
import dev.keyward.agent.config.AgentConfig;
import dev.keyward.agent.config.ConfigException;
import dev.keyward.agent.cycle.CycleReport;
import dev.keyward.agent.cycle.StatusStore;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;

/** Shared pieces of the commands. */
final class Agents {
    private Agents() {
    }

    /** A client for the configured server (or the one enrolled with), with the stored credential. */
    static AgentClient client(AgentConfig config, StatusStore store) throws IOException {
        URI server;
        if (!config.server().isEmpty()) {
            server = config.serverUri();
        } else {
            String enrolled = store.load().server();
            if (enrolled == null) {
                throw new ConfigException("server is not set: put 'server = https://...' in agent.conf, pass"
                        + " --server, or run 'keyward-agent enroll'");
            }
            server = URI.create(enrolled);
        }
        String credential = store.credential().orElseThrow(() -> new ConfigException("no host credential in "
                + config.credentialFile() + ": run 'keyward-agent enroll --server URL --join-token-file FILE'"));
        return new AgentClient(server, credential, config.httpTimeout());
    }

    /** Prints a cycle's notes, warnings and failures; returns whether it succeeded. */
    static boolean print(CycleReport r, PrintStream out, PrintStream err) {
        r.notes().forEach(n -> out.println(n));
        out.flush(); // stdout is buffered (KeywardAgentCli.main): the cycle's lines go out before its warnings
        r.warnings().forEach(w -> err.println("warning: " + w));
        r.failures().forEach(f -> err.println("failed: " + f));
        if (System.getenv("KEYWARD_AGENT_TIMINGS") != null) {
            err.println("timings (ms): " + new java.util.TreeMap<>(r.timingsMs()));
        }
        return r.ok();
    }
}
