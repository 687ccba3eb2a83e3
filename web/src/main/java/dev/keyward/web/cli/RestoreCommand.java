package dev.keyward.web.cli;

import dev.keyward.ca.sign.SecretSource;
import dev.keyward.web.audit.sink.SinkFollower;
import dev.keyward.web.backup.BackupException;
import dev.keyward.web.backup.Restorer;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.service.AuditKey;
import dev.keyward.web.service.AuditKeyBootstrap;
import dev.keyward.web.service.AuditRollback;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
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
    /**
     * Signs the restore with the audit key (a rollback checkpoint), so that {@code audit verify} tells checkpoints of
     * the replaced history from a truncated chain. Without the audit key (its token not restored yet) the restore
     * stands, and the command says what verification will report.
     */
    static void signRollback(ServerConfig cfg, Database db, PrintWriter out, PrintWriter err) {
        Optional<AuditKey> key;
        try {
            key = new AuditKeyBootstrap(db, SecretSource.environment(), Clock.systemUTC())
                    .openExisting(cfg.audit().key(), cfg.ca());
        } catch (ConfigException e) {
            err.println("keyward-server: warning: the restore is not signed by the audit key (" + e.getMessage()
                    + "); checkpoints taken after the backup will show as a truncated or rewritten chain in 'audit"
                    + " verify'");
            return;
        }
        if (key.isEmpty()) {
            return; // a backup from before audit checkpoints: there is nothing to supersede
        }
        try (AuditKey k = key.get()) {
            AuditRollback.Result r = AuditRollback.attest(db, k, Clock.systemUTC(),
                    SinkFollower.configured(cfg.audit(), k.signer().publicKey(), sink -> { }));
            out.println("restore signed by the audit key " + k.fingerprint() + ": " + r.rollback().describe()
                    + "; checkpoints signed before it at or past entry " + r.rollback().seq() + " are superseded");
            for (String sink : r.failedSinks()) {
                err.println("keyward-server: warning: could not write the rollback to " + sink + "; the server"
                        + " writes it there when it next runs");
            }
        }
    }

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
            signRollback(cfg, db, out, spec.commandLine().getErr());
            return 0;
        }
    }
}
