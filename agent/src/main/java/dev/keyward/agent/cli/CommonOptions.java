package dev.keyward.agent.cli;

import dev.keyward.agent.config.AgentConfig;
import dev.keyward.agent.config.AgentPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command takes: where the config is, the root, and overrides of config keys. */
public final class CommonOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "agent config (key = value); default /etc/keyward/agent.conf under --root")
    String configFile;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/",
            description = "prefix for every path read or written (tests, staging, containers); default /")
    Path root;

    @Option(names = "--dry-run", description = "print the changes as a diff and write nothing")
    boolean dryRun;

    @Option(names = "--server", paramLabel = "URL", description = "overrides 'server'")
    String server;

    @Option(names = "--log-file", paramLabel = "FILE", description = "overrides 'log_file'")
    String logFile;

    @Option(names = "--log-source", paramLabel = "file|journal", description = "overrides 'log_source'")
    String logSource;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "overrides any config key (repeatable)")
    List<String> set = List.of();

    public AgentPaths paths() {
        return new AgentPaths(root);
    }

    public AgentConfig config() throws IOException {
        AgentPaths paths = paths();
        Map<String, List<String>> o = new LinkedHashMap<>();
        for (String kv : set) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--set expects KEY=VALUE, got '" + kv + "'");
            }
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
        return AgentConfig.load(file, explicit, o);
    }
}
