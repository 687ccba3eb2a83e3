package dev.keyward.agent.cli;

import dev.keyward.agent.cycle.Cycle;
import dev.keyward.agent.cycle.CycleReport;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code keyward-agent once}: one cycle; exit 0 only if nothing failed. */
final class OnceCommand implements AgentCommand {
    @Override
    public String name() {
        return "once";
    }

    @Override
    public String description() {
        return "Run one cycle and exit: non-zero if anything failed (server down, invalid state, corrupt KRL,"
                + " bulk-purge guard, sshd -t failure...). What failed changed nothing.";
    }

    @Override
    public void options(Options o) {
        o.addOption(Option.builder().longOpt("state-file").hasArg().argName("FILE")
                .desc("apply this desired-state document (JSON, as GET /api/v1/agent/state returns) instead of"
                        + " asking the server; usage and inventory are then not sent").get());
        o.addOption(Option.builder().longOpt("krl-file").hasArg().argName("FILE")
                .desc("with --state-file: the KRL to install").get());
    }

    @Override
    public int run(CommandLine line) throws Exception {
        AgentCommand.noOperands(line);
        CommonOptions common = CommonOptions.from(line);
        Path stateFile = line.hasOption("state-file") ? Path.of(line.getOptionValue("state-file")) : null;
        Path krlFile = line.hasOption("krl-file") ? Path.of(line.getOptionValue("krl-file")) : null;
        if (krlFile != null && stateFile == null) {
            throw new UsageException("--krl-file goes with --state-file (a server cycle fetches the KRL itself)");
        }
        var config = common.config();
        var paths = common.paths();
        Cycle cycle = new Cycle(config, paths, common.dryRun, System.out, Clock.systemUTC());
        Cycle.Source source = stateFile != null ? Cycle.Source.files(stateFile, krlFile)
                : Cycle.Source.server(Agents.client(config, cycle.store()));
        CycleReport r = cycle.run(source, 0);
        return Agents.print(r, System.out, System.err) ? 0 : 1;
    }
}
