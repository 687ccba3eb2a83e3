package dev.keyward.agent.cli;

import dev.keyward.agent.protocol.UsageEvent;
import dev.keyward.agent.usage.FileFollower;
import dev.keyward.agent.usage.SshdMessage;
import dev.keyward.ca.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code keyward-agent parse-log FILE}: what the agent would report from a log file, without state or server.
 * For checking a host's log format, and for the parser benchmark ({@code --repeat}).
 */
final class ParseLogCommand implements AgentCommand {
    @Override
    public String name() {
        return "parse-log";
    }

    @Override
    public boolean commonOptions() {
        return false; // reads one file, nothing of the host's
    }

    @Override
    public String operands() {
        return "FILE";
    }

    @Override
    public String description() {
        return "Parse an sshd log file from the start and print the key-usage events the agent would report"
                + " (counts only, or --events); reads nothing else and writes nothing.";
    }

    @Override
    public void options(Options o) {
        o.addOption(Option.builder().longOpt("events").desc("print every event as JSON").get());
        o.addOption(Option.builder().longOpt("repeat").hasArg().argName("N")
                .desc("parse N times in this process and print each pass's time (benchmarks)").get());
    }

    @Override
    public int run(CommandLine line) throws Exception {
        if (line.getArgList().size() != 1) {
            throw new UsageException("expects one FILE, got " + line.getArgList().size() + " arguments");
        }
        Path file = Path.of(line.getArgList().get(0));
        boolean events = line.hasOption("events");
        int repeat = (int) Math.min(1000, AgentCommand.number(line, "repeat", 1, 1));
        long size = Files.size(file);
        long best = Long.MAX_VALUE;
        Map<String, int[]> counts = new HashMap<>(); // a few kinds; counted without boxing or string compares
        java.util.List<Long> passes = new java.util.ArrayList<>();
        for (int i = 0; i < Math.max(1, repeat); i++) {
            counts.clear();
            boolean print = events && i == 0;
            long t0 = System.nanoTime();
            new FileFollower(file, new SshdMessage(ZoneId.systemDefault(), Instant.now().getEpochSecond()))
                    .read(null, batch -> {
                        for (UsageEvent e : batch) {
                            counts.computeIfAbsent(e.kind(), k -> new int[1])[0]++;
                            if (print) {
                                System.out.println(new String(Json.write(e), java.nio.charset.StandardCharsets.UTF_8));
                            }
                        }
                    });
            long took = System.nanoTime() - t0;
            best = Math.min(best, took);
            passes.add(took / 1_000_000);
        }
        double secs = best / 1e9;
        Map<String, Integer> sorted = new TreeMap<>();
        counts.forEach((k, v) -> sorted.put(k, v[0]));
        System.out.printf("events %s%nbytes %d%nseconds %.3f%nMB/s %.0f%n", sorted, size, secs,
                size / 1e6 / Math.max(secs, 1e-9));
        if (passes.size() > 1) {
            System.out.println("passes (ms) " + passes);
        }
        return 0;
    }
}
