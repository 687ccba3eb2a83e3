package dev.keyward.ca.cli;

import dev.keyward.ca.InvalidInputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyward-ca}: an offline SSH CA (an air-gapped CA, or a migration path from {@code ssh-keygen -s}).
 * A bad input exits non-zero with one clear line on stderr; a stack trace only with {@code --verbose}.
 */
@Command(name = "keyward-ca", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, // --help on each
        versionProvider = KeywardCaCli.Version.class,
        description = "Offline SSH certificate authority with CA keys in a PKCS#11 token (or a file).",
        subcommands = {InitCommand.class, PubkeyCommand.class, SignCommand.class, KrlCommand.class,
                InspectCommand.class})
public final class KeywardCaCli {
    /** Exit code for bad input (a user error). */
    public static final int EXIT_BAD_INPUT = 1;
    /** Exit code for an internal failure (token unreachable, I/O). */
    public static final int EXIT_FAILURE = 3;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        KeywardCaCli root = new KeywardCaCli();
        CommandLine cl = new CommandLine(root);
        cl.setOut(out).setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = root.verbose;
            if (ex instanceof InvalidInputException) {
                err.println("keyward-ca: " + ex.getMessage());
                if (verbose) {
                    ex.printStackTrace(err);
                }
                return EXIT_BAD_INPUT;
            }
            err.println("keyward-ca: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage())
                    + (verbose ? "" : " (run with --verbose for details)"));
            if (verbose) {
                ex.printStackTrace(err);
            }
            return EXIT_FAILURE;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("keyward-ca: " + ex.getMessage());
            err.println("Try 'keyward-ca " + (ex.getCommandLine().getCommandName().equals("keyward-ca") ? ""
                    : ex.getCommandLine().getCommandName() + " ") + "--help'.");
            return 2;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = KeywardCaCli.class.getPackage().getImplementationVersion();
            return new String[] {"keyward-ca " + (v == null ? "dev" : v)};
        }
    }
}
