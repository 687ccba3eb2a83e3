package dev.keyward.cli;

import dev.keyward.cli.config.CliConfig;
import dev.keyward.cli.config.CliEnv;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options every command takes: which key, which config file. */
final class KeyOptions {
    @Option(names = "--key", paramLabel = "PATH", description = "Private key path (its PATH.pub is certified;"
            + " the certificate goes to PATH-cert.pub). Default: config 'key', else the first of ~/.ssh/id_ed25519,"
            + " id_ecdsa, id_rsa.")
    String key;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default ~/.config/keyward/config).")
    Path config;

    CliConfig load(CliEnv env) {
        Path file = config != null ? config : env.configDir().resolve("config");
        if (config != null && !java.nio.file.Files.exists(config)) {
            throw new dev.keyward.ca.InvalidInputException("config file " + config + " does not exist");
        }
        return CliConfig.load(file, env.home());
    }

    /** The key from the flag, else the config; empty when neither names one. */
    Optional<Path> explicitKey(CliEnv env, CliConfig cfg) {
        return key != null ? Optional.of(CliConfig.expandHome(key, env.home())) : cfg.key();
    }
}
