package dev.keyward.cli;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.cli.config.CliEnv;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyward}: the engineers' CLI. {@code login} gets a short-lived user certificate for the engineer's own
 * key and loads it into ssh-agent; {@code status} shows it; {@code logout} removes it; {@code ssh-config} sets plain
 * ssh up to verify hosts by Keyward's host CA. A bad input or a refusal
 * exits 1 with one line on stderr; usage errors exit 2; internal failures 3; {@code --verbose} adds a stack trace.
 */
@Command(name = "keyward", mixinStandardHelpOptions = true, versionProvider = KeywardCli.Version.class,
        description = "Get a short-lived SSH certificate from Keyward and load it into ssh-agent.",
        subcommands = {LoginCommand.class, StatusCommand.class, LogoutCommand.class, SshConfigCommand.class})
public final class KeywardCli implements Runnable {
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INTERNAL = 3;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    final CliEnv env;

    KeywardCli(CliEnv env) {
        this.env = env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: login, status, logout,"
                + " ssh-config");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), CliEnv.system()));
    }

    /** Runs the CLI with the given streams and environment; returns the exit code (tests call this). */
    public static int run(String[] args, PrintWriter out, PrintWriter err, CliEnv env) {
        KeywardCli root = new KeywardCli(env);
        CommandLine cl = new CommandLine(root);
        cl.setOut(out).setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof InvalidInputException) {
                err.println("keyward: " + ex.getMessage());
                if (root.verbose) {
                    ex.printStackTrace(err);
                }
                return EXIT_FAILURE;
            }
            err.println("keyward: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage())
                    + (root.verbose ? "" : " (run with --verbose for details)"));
            if (root.verbose) {
                ex.printStackTrace(err);
            }
            return EXIT_INTERNAL;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("keyward: " + ex.getMessage());
            String name = ex.getCommandLine().getCommandName();
            err.println("Try 'keyward " + (name.equals("keyward") ? "" : name + " ") + "--help'.");
            return EXIT_USAGE;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = KeywardCli.class.getPackage().getImplementationVersion();
            return new String[] {"keyward " + (v == null ? "dev" : v)};
        }
    }
}
