package dev.keyward.agent.cli;

import dev.keyward.agent.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.help.HelpFormatter;
import org.apache.commons.cli.help.TextHelpAppendable;

/**
 * {@code keyward-agent}: keeps a host's SSH trust in line with the Keyward CA.
 *
 * <p>The command line is parsed with Apache Commons CLI: the agent starts for every {@code once} (from cron, from
 * a test, from an operator's shell), and picocli, which the other Keyward CLIs use, cost 0.13-0.15 s of each start
 * here (Java 5 class files, which the AOT cache cannot hold, initialised in the interpreter) against 0.01 s.
 */
public final class KeywardAgentCli {
    static final String VERSION = "keyward-agent " + dev.keyward.agent.protocol.StatusReport.AGENT_VERSION;
    static final String DESCRIPTION = "Keeps this host's SSH trust in line with the Keyward CA: authorized_keys,"
            + " trusted CA keys, the KRL and host certificates; reports key usage and inventory.";

    /** The commands, by name; only the one named is built. */
    private static final Map<String, Supplier<AgentCommand>> COMMANDS;

    static {
        Map<String, Supplier<AgentCommand>> m = new LinkedHashMap<>();
        m.put("enroll", EnrollCommand::new);
        m.put("once", OnceCommand::new);
        m.put("run", RunCommand::new);
        m.put("status", StatusCommand::new);
        m.put("parse-log", ParseLogCommand::new);
        COMMANDS = java.util.Collections.unmodifiableMap(m);
    }

    private KeywardAgentCli() {
    }

    /** Runs the command line; returns the exit code: 0 ok, 1 something failed, 2 bad usage or configuration. */
    public static int execute(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        String first = args.length > 0 ? args[0] : "";
        switch (first) {
            case "-h", "--help", "help" -> {
                topHelp(out);
                return 0;
            }
            case "-V", "--version" -> {
                out.println(VERSION);
                return 0;
            }
            default -> {
                // a command follows
            }
        }
        Supplier<AgentCommand> make = COMMANDS.get(first);
        if (make == null) {
            err.println("keyward-agent: " + (first.isEmpty() ? "a command is required"
                    : "unknown command '" + first + "'") + "; commands: " + String.join(", ", COMMANDS.keySet()));
            err.println("Run 'keyward-agent --help' for usage.");
            return 2;
        }
        AgentCommand cmd = make.get();
        Options options = new Options();
        cmd.options(options);
        if (cmd.commonOptions()) {
            CommonOptions.add(options);
        }
        options.addOption(Option.builder("h").longOpt("help").desc("show this help and exit").get());
        options.addOption(Option.builder("V").longOpt("version").desc("print the version and exit").get());
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        try {
            CommandLine line = DefaultParser.builder().setAllowPartialMatching(false).get().parse(options, rest);
            if (line.hasOption("help")) {
                commandHelp(cmd, options, out);
                return 0;
            }
            if (line.hasOption("version")) {
                out.println(VERSION);
                return 0;
            }
            return cmd.run(line);
        } catch (ParseException | AgentCommand.UsageException e) {
            out.flush();
            err.println("keyward-agent " + cmd.name() + ": " + e.getMessage());
            err.println("Run 'keyward-agent " + cmd.name() + " --help' for usage.");
            return 2;
        } catch (ConfigException | dev.keyward.ca.InvalidInputException e) {
            out.flush(); // what the command printed before it failed comes first
            err.println("keyward-agent: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            out.flush();
            err.println("keyward-agent: " + describe(e));
            return 1;
        }
    }

    /** An exception as one line; file-system errors name what happened to which file (their message is the path). */
    static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException f) {
            return "no such file: " + f.getFile();
        }
        if (e instanceof java.nio.file.AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static void topHelp(PrintStream out) {
        out.println("Usage: keyward-agent COMMAND [OPTIONS]");
        out.println(DESCRIPTION);
        out.println();
        out.println("Commands:");
        COMMANDS.forEach((name, make) -> out.printf("  %-10s %s%n", name, firstSentence(make.get().description())));
        out.println();
        out.println("Options: -h, --help (this help; after a command: its options), -V, --version");
    }

    private static String firstSentence(String s) {
        int dot = s.indexOf(". ");
        return dot < 0 ? s : s.substring(0, dot + 1);
    }

    private static void commandHelp(AgentCommand cmd, Options options, PrintStream out) throws IOException {
        HelpFormatter f = HelpFormatter.builder().setHelpAppendable(new TextHelpAppendable(out)).setShowSince(false)
                .get();
        f.printHelp("keyward-agent " + cmd.name() + (cmd.operands().isEmpty() ? "" : " " + cmd.operands()),
                cmd.description(), options, "", true);
    }

    public static void main(String[] args) {
        // stdout buffered, flushed when a cycle ends and at exit: a first cycle on a large host prints a line per
        // file it creates (10,000), which an auto-flushing System.out writes with a system call each
        PrintStream out = new PrintStream(new java.io.BufferedOutputStream(
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
