package dev.keyward.web.cli;

import dev.keyward.web.audit.VerifyResult;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.service.AuditService;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code audit verify}: walks the audit hash chain; exits 1 naming the first bad entry. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit log.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify the audit hash chain; exit status 1 names the first entry modified, deleted or"
                    + " reordered.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        KeywardServerCli.ConfigOption config = new KeywardServerCli.ConfigOption();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ServerConfig cfg = config.load();
            try (Database db = Database.open(cfg.database(), cfg.home())) {
                db.migrate();
                VerifyResult r = new AuditService(db).verify();
                if (r.ok()) {
                    spec.commandLine().getOut().println("audit chain OK: " + r.entries() + " entries, head "
                            + r.headSeq() + " " + r.headHash());
                    return 0;
                }
                PrintWriter err = spec.commandLine().getErr();
                err.println("audit chain BROKEN at entry " + r.firstBadSeq().orElseThrow() + ": "
                        + r.problem().orElseThrow());
                err.println("(" + r.entries() + " entries verified before it)");
                return 1;
            }
        }
    }
}
