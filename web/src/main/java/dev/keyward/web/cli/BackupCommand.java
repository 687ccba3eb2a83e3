package dev.keyward.web.cli;

import dev.keyward.web.KeywardServer;
import dev.keyward.web.backup.BackupWriter;
import dev.keyward.web.backup.Manifest;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.Database;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code backup --to DIR}: a consistent dump of the server's database (no PIN, token or private key). */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Write a consistent backup of the database (every table, the sequences, the CA keys' public"
                + " halves, the configuration file) into a new or empty directory. It holds no PIN, token or private"
                + " key: back up the HSM (or the SoftHSM2 token directory) on its own.")
final class BackupCommand implements Callable<Integer> {
    @Mixin
    KeywardServerCli.ConfigOption config = new KeywardServerCli.ConfigOption();

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "Where to write it (absent or empty)")
    Path to;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ServerConfig cfg = config.load();
        try (Database db = Database.open(cfg.database(), cfg.home())) {
            db.migrate();
            Manifest m = new BackupWriter(db, KeywardServer.VERSION).write(to, Optional.ofNullable(config.config),
                    "cli:" + System.getProperty("user.name", "unknown"));
            long rows = m.tables().stream().mapToLong(Manifest.Table::rows).sum();
            spec.commandLine().getOut().println("backup written to " + to.toAbsolutePath().normalize() + ": "
                    + m.tables().size() + " tables, " + rows + " rows, schema version " + m.schemaVersion()
                    + ", audit head " + m.auditHead().seq() + " " + m.auditHead().hash());
            return 0;
        }
    }
}
