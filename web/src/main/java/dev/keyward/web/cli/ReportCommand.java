package dev.keyward.web.cli;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.web.KeywardServer;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.http.Json;
import dev.keyward.web.service.ComplianceCsv;
import dev.keyward.web.service.ComplianceReport;
import dev.keyward.web.service.ComplianceReports;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code report compliance [--format json|csv]}: the report of {@code GET /api/v1/reports/compliance}. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Reports.",
        subcommands = ReportCommand.Compliance.class)
final class ReportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "compliance", mixinStandardHelpOptions = true, description = "Per key-lifecycle stage, the"
            + " evidence and the findings, each citing NIST SP 800-57 Part 1, PCI DSS 4.0 3.6/3.7 and SOC 2 CC6.1.")
    static final class Compliance implements Callable<Integer> {
        @Mixin
        KeywardServerCli.ConfigOption config = new KeywardServerCli.ConfigOption();

        @Option(names = "--format", defaultValue = "json", description = "json (default) or csv (a row per finding)")
        String format;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!format.equals("json") && !format.equals("csv")) {
                throw new InvalidInputException("--format must be json or csv, got '" + format + "'");
            }
            ServerConfig cfg = config.load();
            ComplianceReport r;
            try (Database db = Database.open(cfg.database(), cfg.home())) {
                db.migrate();
                r = new ComplianceReports(db, Clock.systemUTC(), KeywardServer.policy(cfg), cfg.ca(), cfg.inventory(),
                        SecretSource.environment()).build();
            }
            try {
                spec.commandLine().getOut().print(format.equals("csv") ? ComplianceCsv.render(r, Json.MAPPER)
                        : Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r) + "\n");
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
