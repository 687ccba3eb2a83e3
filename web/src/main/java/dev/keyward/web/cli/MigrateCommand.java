package dev.keyward.web.cli;

import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.Database;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code migrate}: applies pending database migrations and exits. */
@Command(name = "migrate", mixinStandardHelpOptions = true, description = "Apply pending database migrations.")
final class MigrateCommand implements Callable<Integer> {
    @Mixin
    KeywardServerCli.ConfigOption config = new KeywardServerCli.ConfigOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ServerConfig cfg = config.load();
        try (Database db = Database.open(cfg.database(), cfg.home())) {
            MigrateResult r = db.migrate();
            spec.commandLine().getOut().println("applied " + r.migrationsExecuted + " migration(s); schema version "
                    + (r.targetSchemaVersion != null ? r.targetSchemaVersion : r.initialSchemaVersion));
        }
        return 0;
    }
}
