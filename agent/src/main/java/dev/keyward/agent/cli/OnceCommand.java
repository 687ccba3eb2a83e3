package dev.keyward.agent.cli;

import dev.keyward.agent.cycle.Cycle;
import dev.keyward.agent.cycle.CycleReport;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keyward-agent once}: one cycle; exit 0 only if nothing failed. */
@Command(name = "once", mixinStandardHelpOptions = true,
        description = "Run one cycle and exit: non-zero if anything failed (server down, invalid state, corrupt KRL,"
                + " bulk-purge guard, sshd -t failure...). What failed changed nothing.")
public final class OnceCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--state-file", paramLabel = "FILE",
            description = "apply this desired-state document (JSON, as GET /api/v1/agent/state returns) instead of"
                    + " asking the server; usage and inventory are then not sent")
    Path stateFile;

    @Option(names = "--krl-file", paramLabel = "FILE", description = "with --state-file: the KRL to install")
    Path krlFile;

    @Override
    public Integer call() throws Exception {
        var config = common.config();
        var paths = common.paths();
        Cycle cycle = new Cycle(config, paths, common.dryRun, System.out, Clock.systemUTC());
        Cycle.Source source = stateFile != null ? Cycle.Source.files(stateFile, krlFile)
                : Cycle.Source.server(Agents.client(config, cycle.store()));
        CycleReport r = cycle.run(source, 0);
        return Agents.print(r, System.out, System.err) ? 0 : 1;
    }
}
