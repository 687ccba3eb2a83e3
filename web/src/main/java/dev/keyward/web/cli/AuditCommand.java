package dev.keyward.web.cli;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.web.audit.AuditProblem;
import dev.keyward.web.audit.AuditReport;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.service.AuditKey;
import dev.keyward.web.service.AuditKeyBootstrap;
import dev.keyward.web.service.AuditService;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code audit verify [--checkpoints FILE]... [--key FILE]...}: walks the audit hash chain and checks it against
 * every signed checkpoint; exits 1 naming what is wrong, 2 for bad usage or configuration.
 */
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
            description = "Verify the audit hash chain and check it against the signed checkpoints (the database's,"
                    + " the configured sink file's and those in --checkpoints files). Exit status 1 names what is"
                    + " wrong: an entry modified, deleted or reordered, the chain truncated after a checkpoint or"
                    + " rewritten, a checkpoint whose signature does not verify; 2: bad usage or configuration.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        KeywardServerCli.ConfigOption config = new KeywardServerCli.ConfigOption();

        @Option(names = "--checkpoints", paramLabel = "FILE", description = "A file of checkpoint lines: a copy of"
                + " the sink file, or a syslog collector's log (other lines are skipped); repeatable")
        List<Path> checkpoints = new ArrayList<>();

        @Option(names = "--key", paramLabel = "FILE", description = "The audit public key (an OpenSSH public key"
                + " line, e.g. public_key of GET /api/v1/audit/key, kept elsewhere): checkpoints must be signed by it"
                + " instead of by the key in the token; repeatable")
        List<Path> keys = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            for (Path f : checkpoints) {
                if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
                    throw new InvalidInputException("--checkpoints " + f + ": not a readable file");
                }
            }
            List<SshPublicKey> trusted = new ArrayList<>();
            for (Path f : keys) {
                trusted.add(readKey(f));
            }
            ServerConfig cfg = config.load();
            try (Database db = Database.open(cfg.database(), cfg.home())) {
                db.migrate();
                Optional<AuditKey> key = trusted.isEmpty() ? new AuditKeyBootstrap(db,
                        SecretSource.environment(), Clock.systemUTC()).openExisting(cfg.audit().key(), cfg.ca()) : Optional.empty();
                try {
                    AuditReport r = new AuditService(db, key, cfg.audit().sinkFile()).verify(checkpoints, trusted);
                    return print(r);
                } finally {
                    key.ifPresent(AuditKey::close);
                }
            }
        }

        private int print(AuditReport r) {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            var c = r.checkpoints();
            if (r.chain().ok()) {
                out.println("audit chain OK: " + r.chain().entries() + " entries, head " + r.chain().headSeq() + " "
                        + r.chain().headHash());
            }
            out.println("checkpoints: " + c.verified() + " checked" + (c.superseded() > 0 ? ", " + c.superseded()
                    + " superseded by a restore" : "") + c.newest().map(n -> ", newest " + n.describe()).orElse("")
                    + "; read from " + String.join(", ", c.sources()) + "; audit key "
                    + (c.auditKey().isEmpty() ? "none" : String.join(", ", c.auditKey())));
            for (String n : r.notes()) {
                out.println("note: " + n);
            }
            if (r.ok()) {
                out.println("audit trail OK");
                return 0;
            }
            for (AuditProblem p : r.problems()) {
                err.println(p.kind().equals("chain")
                        ? "audit chain BROKEN at entry " + p.seq().orElseThrow() + ": " + p.message()
                        : "audit " + p.kind().toUpperCase(Locale.ROOT) + ": " + p.message());
            }
            if (!r.chain().ok()) {
                err.println("(" + r.chain().entries() + " entries verified before it)");
            }
            return 1;
        }

        private static SshPublicKey readKey(Path f) {
            try {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && !line.strip().startsWith("#")) {
                        return PublicKeyParser.withDefaults().parseLine(line.strip());
                    }
                }
            } catch (IOException e) {
                throw new InvalidInputException("--key " + f + ": cannot read it: " + e.getMessage());
            } catch (InvalidInputException e) {
                throw new InvalidInputException("--key " + f + ": not an OpenSSH public key: " + e.getMessage());
            }
            throw new InvalidInputException("--key " + f + ": holds no public key");
        }
    }
}
