package dev.keyward.agent.cli;

import dev.keyward.agent.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keyward-agent}: keeps a host's SSH trust in line with the Keyward CA. */
@Command(name = "keyward-agent", mixinStandardHelpOptions = true, version = "keyward-agent 0.1.0",
        description = "Keeps this host's SSH trust in line with the Keyward CA: authorized_keys, trusted CA keys,"
                + " the KRL and host certificates; reports key usage and inventory.",
        subcommands = {EnrollCommand.class, OnceCommand.class, RunCommand.class, StatusCommand.class,
                ParseLogCommand.class})
public final class KeywardAgentCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: enroll, once, run, status");
    }

    public static int execute(String... args) {
        return new CommandLine(new KeywardAgentCli())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof ConfigException || e instanceof dev.keyward.ca.InvalidInputException) {
                        cmd.getErr().println("keyward-agent: " + e.getMessage());
                        return 2;
                    }
                    cmd.getErr().println("keyward-agent: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    return 1;
                })
                .execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
