package dev.keyward.agent.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One command of {@code keyward-agent}: its options (Apache Commons CLI) and what it does with them. */
interface AgentCommand {
    /** The command's name on the command line. */
    String name();

    /** Operands after the options, for the usage line ({@code ""} if none). */
    default String operands() {
        return "";
    }

    /** One paragraph for the help. */
    String description();

    /** Whether the command takes the options every agent command shares ({@link CommonOptions}). */
    default boolean commonOptions() {
        return true;
    }

    /** Adds the command's own options (the common ones and -h/-V are added by the caller). */
    void options(Options options);

    /**
     * Runs the command on its parsed command line; returns the exit code. A {@link UsageException} is a bad
     * command line (exit 2, with a pointer to --help).
     */
    int run(CommandLine line) throws Exception;

    /** A command line that parsed but makes no sense (a missing operand, a value of the wrong form). */
    final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The value of a whole-number option, or {@code dflt} when absent. */
    static long number(CommandLine line, String option, long dflt, long min) throws UsageException {
        String v = line.getOptionValue(option);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < min) {
                throw new UsageException("--" + option + " must be at least " + min + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + option + " expects a whole number, got '" + v + "'");
        }
    }

    /** Refuses operands a command does not take. */
    static void noOperands(CommandLine line) throws UsageException {
        if (!line.getArgList().isEmpty()) {
            throw new UsageException("unexpected argument '" + line.getArgList().get(0) + "'");
        }
    }
}
