package dev.keyward.agent.usage;

import dev.keyward.agent.config.AgentConfig;
import dev.keyward.agent.config.AgentPaths;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where this host's sshd logs logins, decided each cycle from {@code log_source}:
 * <ul>
 * <li>{@code auto} (the default): the log file when it exists ({@code log_file} if set, else
 * {@code /var/log/auth.log}, then {@code /var/log/secure}); else the journal when {@code journal_command}'s program
 * is installed and journald keeps journal files ({@code /run/log/journal} or {@code /var/log/journal}: Debian 12
 * and later log sshd to the journal only, without rsyslog); else none;</li>
 * <li>{@code file}: {@code log_file} (default {@code /var/log/auth.log}), none while it does not exist;</li>
 * <li>{@code journal}: the journal, none while {@code journal_command}'s program is not installed;</li>
 * <li>{@code none}: usage is not reported.</li>
 * </ul>
 * With none, the agent reports no usage, and says so (with why) in {@code keyward-agent status} and to the server:
 * a host whose usage silently goes unreported would make every key on it look unused.
 *
 * @param kind   what is read
 * @param detail the log file (a host path) or the journal command; for {@link Kind#NONE} why there is none
 */
public record UsageSource(Kind kind, String detail) {
    public enum Kind {
        FILE, JOURNAL, NONE;

        /** As on the wire and in status: {@code file}, {@code journal}, {@code none}. */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final List<String> DEFAULT_FILES = List.of("/var/log/auth.log", "/var/log/secure");
    /** Where journald keeps its files: volatile, then persistent (each holds a directory per machine id). */
    static final List<String> JOURNAL_DIRS = List.of("/run/log/journal", "/var/log/journal");

    /** For people: {@code file /var/log/auth.log}, {@code journal (journalctl ...)}, {@code none: why}. */
    public String describe() {
        return switch (kind) {
            case FILE -> "file " + detail;
            case JOURNAL -> "journal (" + detail + ")";
            case NONE -> "none: " + detail;
        };
    }

    /** Files are looked up under the agent's root; the journal command runs on the host as it is. */
    public static UsageSource detect(AgentConfig config, AgentPaths paths) {
        String journal = String.join(" ", config.journalCommand());
        String source = config.logSource();
        switch (source) {
            case "none":
                return new UsageSource(Kind.NONE, "log_source = none");
            case "file": {
                String f = config.logFile().isEmpty() ? DEFAULT_FILES.get(0) : config.logFile();
                return Files.isRegularFile(paths.resolve(f)) ? new UsageSource(Kind.FILE, f)
                        : new UsageSource(Kind.NONE, "log_file " + f + " does not exist (log_source = file)");
            }
            case "journal":
                return installed(config.journalCommand()) ? new UsageSource(Kind.JOURNAL, journal)
                        : new UsageSource(Kind.NONE, "journal_command's program " + config.journalCommand().get(0)
                                + " is not installed (log_source = journal)");
            default: {
                List<String> files = config.logFile().isEmpty() ? DEFAULT_FILES : List.of(config.logFile());
                for (String f : files) {
                    if (Files.isRegularFile(paths.resolve(f))) {
                        return new UsageSource(Kind.FILE, f);
                    }
                }
                boolean program = installed(config.journalCommand());
                boolean journalFiles = journalFiles(paths);
                if (program && journalFiles) {
                    return new UsageSource(Kind.JOURNAL, journal);
                }
                List<String> why = new ArrayList<>();
                why.add("no " + String.join(" or ", files));
                if (!program) {
                    why.add("no " + config.journalCommand().get(0) + " (journal_command) installed");
                }
                if (!journalFiles) {
                    why.add("no journal files in " + String.join(" or ", JOURNAL_DIRS));
                }
                return new UsageSource(Kind.NONE, String.join(", ", why) + " (log_source = auto)");
            }
        }
    }

    /** The command's program is an executable file: by its path, or found on PATH. */
    static boolean installed(List<String> command) {
        if (command.isEmpty()) {
            return false;
        }
        String program = command.get(0);
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** A {@code *.journal} file in a journal directory or in one of its per-machine directories. */
    static boolean journalFiles(AgentPaths paths) {
        for (String d : JOURNAL_DIRS) {
            Path dir = paths.resolve(d);
            if (Files.isDirectory(dir) && holdsJournal(dir, 1)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holdsJournal(Path dir, int depth) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (p.getFileName().toString().endsWith(".journal") && Files.isRegularFile(p)) {
                    return true;
                }
                if (depth > 0 && Files.isDirectory(p) && holdsJournal(p, depth - 1)) {
                    return true;
                }
            }
        } catch (IOException unreadable) {
            return false;
        }
        return false;
    }
}
