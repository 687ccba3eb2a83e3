package dev.keyward.agent.cli;

import dev.keyward.agent.config.AgentConfig;
import dev.keyward.agent.config.AgentPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** Options every command takes: where the config is, the root, and overrides of config keys. */
public final class CommonOptions {
    String configFile;
    Path root = Path.of("/");
    boolean dryRun;
    String server;
    String logFile;
    String logSource;
    List<String> set = List.of();

    static void add(Options o) {
        o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
                .desc("agent config (key = value); default /etc/keyward/agent.conf under --root").get());
        o.addOption(Option.builder().longOpt("root").hasArg().argName("DIR")
                .desc("prefix for every path read or written (tests, staging, containers); default /").get());
        o.addOption(Option.builder().longOpt("dry-run").desc("print the changes as a diff and write nothing").get());
        o.addOption(Option.builder().longOpt("server").hasArg().argName("URL").desc("overrides 'server'").get());
        o.addOption(Option.builder().longOpt("log-file").hasArg().argName("FILE").desc("overrides 'log_file'").get());
        o.addOption(Option.builder().longOpt("log-source").hasArg().argName("auto|file|journal|none")
                .desc("overrides 'log_source'").get());
        o.addOption(Option.builder().longOpt("set").hasArg().argName("KEY=VALUE")
                .desc("overrides any config key (repeatable)").get());
    }

    static CommonOptions from(CommandLine line) throws AgentCommand.UsageException {
        CommonOptions c = new CommonOptions();
        c.configFile = line.getOptionValue("config");
        String r = line.getOptionValue("root");
        if (r != null) {
            if (r.isBlank()) {
                throw new AgentCommand.UsageException("--root expects a directory");
            }
            c.root = Path.of(r);
        }
        c.dryRun = line.hasOption("dry-run");
        c.server = line.getOptionValue("server");
        c.logFile = line.getOptionValue("log-file");
        c.logSource = line.getOptionValue("log-source");
        String[] sets = line.getOptionValues("set");
        c.set = sets == null ? List.of() : List.of(sets);
        for (String kv : c.set) {
            if (kv.indexOf('=') <= 0) {
                throw new AgentCommand.UsageException("--set expects KEY=VALUE, got '" + kv + "'");
            }
        }
        return c;
    }

    public AgentPaths paths() {
        return new AgentPaths(root);
    }

    public AgentConfig config() throws IOException {
        AgentPaths paths = paths();
        Map<String, List<String>> o = new LinkedHashMap<>();
        for (String kv : set) {
            int eq = kv.indexOf('=');
            String k = kv.substring(0, eq).strip().replace('-', '_');
            if (!AgentConfig.KEYS.contains(k)) {
                throw new dev.keyward.agent.config.ConfigException("--set: unknown key '" + k + "'");
            }
            o.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(kv.substring(eq + 1).strip());
        }
        if (server != null) {
            o.put("server", List.of(server));
        }
        if (logFile != null) {
            o.put("log_file", List.of(logFile));
        }
        if (logSource != null) {
            o.put("log_source", List.of(logSource));
        }
        boolean explicit = configFile != null;
        Path file = explicit ? Path.of(configFile) : paths.resolve(AgentPaths.DEFAULT_CONFIG);
        return AgentConfig.load(file, explicit, o, paths);
    }
}
