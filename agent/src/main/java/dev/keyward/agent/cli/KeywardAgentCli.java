package dev.keyward.agent.cli;

import dev.keyward.agent.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keyward-agent}: keeps a host's SSH trust in line with the Keyward CA. */
@Command(name = "keyward-agent", mixinStandardHelpOptions = true, version = "keyward-agent 0.1.0",
        description = "Keeps this host's SSH trust in line with the Keyward CA: authorized_keys, trusted CA keys,"
                + " the KRL and host certificates; reports key usage and inventory.")
public final class KeywardAgentCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: "
                + String.join(", ", COMMANDS.keySet()));
    }

    /** The commands, by name; built on demand (see {@link #execute}). */
    private static final java.util.Map<String, java.util.function.Supplier<Object>> COMMANDS;

    static {
        java.util.Map<String, java.util.function.Supplier<Object>> m = new java.util.LinkedHashMap<>();
        m.put("enroll", EnrollCommand::new);
        m.put("once", OnceCommand::new);
        m.put("run", RunCommand::new);
        m.put("status", StatusCommand::new);
        m.put("parse-log", ParseLogCommand::new);
        COMMANDS = java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Runs the command line. Picocli builds a command's model from its annotations when the command is added,
     * a third of the agent's start-up per command: only the command named is added, all of them only when none
     * is (top-level help, errors), so what a user sees is the same.
     */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new KeywardAgentCli());
        String first = args.length > 0 ? args[0] : "";
        if (COMMANDS.containsKey(first)) {
            cl.addSubcommand(first, COMMANDS.get(first).get());
        } else {
            COMMANDS.forEach((name, make) -> cl.addSubcommand(name, make.get()));
        }
        return cl
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    System.out.flush(); // what the command printed before it failed comes first
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
        // stdout buffered, flushed when a cycle ends and at exit: a first cycle on a large host prints a line per
        // file it creates (10,000), which an auto-flushing System.out writes with a system call each
        java.io.PrintStream out = new java.io.PrintStream(new java.io.BufferedOutputStream(
                new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16), false, System.out.charset());
        System.setOut(out);
        int rc;
        try {
            rc = execute(args);
        } finally {
            out.flush();
        }
        System.exit(rc);
    }
}
