package dev.keyward.agent.cli;

import dev.keyward.agent.cycle.Cycle;
import dev.keyward.agent.cycle.CycleReport;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code keyward-agent run}: cycles until stopped. With long-poll the state request waits on the server for a
 * change (so a revocation arrives within seconds); a server that answers at once is polled every
 * {@code poll_interval}. Failures back off exponentially (5 s doubling to 5 min), every wait jittered by ±25%
 * so a fleet does not poll in step.
 */
final class RunCommand implements AgentCommand {
    static final long BACKOFF_MIN_MS = 5_000;
    static final long BACKOFF_MAX_MS = 300_000;

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String description() {
        return "Run cycles until stopped (SIGTERM).";
    }

    @Override
    public void options(Options o) {
        o.addOption(Option.builder().longOpt("max-cycles").hasArg().argName("N")
                .desc("stop after N cycles (0 = never, the default)").get());
    }

    @Override
    public int run(CommandLine line) throws Exception {
        AgentCommand.noOperands(line);
        CommonOptions common = CommonOptions.from(line);
        long maxCycles = AgentCommand.number(line, "max-cycles", 0, 0);
        var config = common.config();
        var paths = common.paths();
        Cycle cycle = new Cycle(config, paths, common.dryRun, System.out, Clock.systemUTC());
        Cycle.Source source = Cycle.Source.server(Agents.client(config, cycle.store()));
        int wait = (int) config.longPoll().toSeconds();
        long pollMs = config.pollInterval().toMillis();
        int failuresInRow = 0;
        for (long n = 0; maxCycles == 0 || n < maxCycles; n++) {
            CycleReport r = cycle.run(source, wait);
            boolean ok = Agents.print(r, System.out, System.err);
            long sleep;
            if (!ok) {
                failuresInRow++;
                sleep = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS << Math.min(failuresInRow - 1, 16));
            } else {
                failuresInRow = 0;
                // a long-poll that was held is itself the wait; one answered at once means no long-poll support
                boolean held = wait > 0 && r.stateElapsedMs() >= wait * 500L;
                sleep = held || (wait > 0 && r.stateChanged()) ? 1_000 : pollMs;
            }
            if (maxCycles != 0 && n + 1 >= maxCycles) {
                break;
            }
            Thread.sleep(jitter(sleep));
        }
        return 0;
    }

    static long jitter(long ms) {
        return (long) (ms * (0.75 + ThreadLocalRandom.current().nextDouble() * 0.5));
    }
}
