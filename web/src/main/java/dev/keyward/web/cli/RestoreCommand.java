package dev.keyward.web.cli;

import dev.keyward.web.backup.BackupException;
import dev.keyward.web.backup.Restorer;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.Database;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code restore --from DIR}: loads a backup into an empty database (or KEYWARD_HOME). */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a backup into an empty database or KEYWARD_HOME (with no server running on it);"
                + " a database with Keyward data is refused unless --force. The backup is checked whole first.")
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    KeywardServerCli.ConfigOption config = new KeywardServerCli.ConfigOption();

    @Option(names = "--from", required = true, paramLabel = "DIR", description = "A directory written by backup")
    Path from;

    @Option(names = "--force", description = "Replace whatever the database holds")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ServerConfig cfg = config.load();
        try (Database db = Database.open(cfg.database(), cfg.home())) {
            if (db.attachedToRunningServer()) {
                throw new BackupException("a keyward-server is running on " + cfg.home() + ": stop it before restoring");
            }
            Restorer.Result r = new Restorer(db).restore(from, force, "cli:" + System.getProperty("user.name",
                    "unknown"));
            PrintWriter out = spec.commandLine().getOut();
            out.println("restored " + r.rows() + " rows from " + from.toAbsolutePath().normalize() + " (taken "
                    + r.manifest().createdAt() + ", schema version " + r.manifest().schemaVersion() + ")");
            if (!r.audit().ok()) {
                spec.commandLine().getErr().println("keyward-server: the restored audit chain does not verify at entry "
                        + r.audit().firstBadSeq().orElseThrow() + ": " + r.audit().problem().orElseThrow());
                return 1;
            }
            out.println("audit chain OK: " + r.audit().entries() + " entries, head " + r.audit().headSeq());
            return 0;
        }
    }
}
