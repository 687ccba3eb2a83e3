package dev.keyward.web.cli;

import dev.keyward.ca.Durations;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.CaKeyDao.CaKeyRow;
import dev.keyward.web.db.Database;
import dev.keyward.web.service.CaKeyLifecycle;
import dev.keyward.web.service.CaKeyStatus;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ca rotate|status|activate|destroy|revoke}: the CA key lifecycle from the command line, straight on the
 * database and the token (the same steps as {@code /api/v1/ca/keys}, audited as {@code cli:<os user>}). Running
 * servers notice a change within their agent-state check interval and open a newly active key themselves.
 */
@Command(name = "ca", mixinStandardHelpOptions = true, description = "The CA keys: rotate, activate, destroy, revoke.",
        subcommands = {CaCommand.Rotate.class, CaCommand.Status.class, CaCommand.Activate.class,
            CaCommand.Destroy.class, CaCommand.Revoke.class})
final class CaCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Opens the database (migrated) and runs {@code step} with the lifecycle service. */
    static <T> T withLifecycle(ServerConfig cfg, Function<CaKeyLifecycle, T> step) {
        try (Database db = Database.open(cfg.database(), cfg.home())) {
            db.migrate();
            return step.apply(new CaKeyLifecycle(db, Optional.empty(), SecretSource.environment(), Clock.systemUTC(),
                    cfg.ca().algorithm(), () -> { }));
        }
    }

    static CertType purpose(String p) {
        if (!p.equals("user") && !p.equals("host")) {
            throw new InvalidInputException("--purpose must be user or host, got '" + p + "'");
        }
        return CertType.parse(p);
    }

    static Caller caller() {
        return Caller.cli(System.getProperty("user.name", "unknown"));
    }

    static String describe(CaKeyRow k) {
        return k.purpose().label() + " CA key " + k.id() + " " + k.fingerprint() + " " + k.state().label();
    }

    /** What every step takes: the configuration, the purpose and (except rotate) the key. */
    abstract static class Step implements Callable<Integer> {
        @Mixin
        KeywardServerCli.ConfigOption config = new KeywardServerCli.ConfigOption();

        @Option(names = "--purpose", required = true, paramLabel = "user|host", description = "Which CA: user or host")
        String purpose;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    /** A step on one key. */
    abstract static class KeyStep extends Step {
        @Option(names = "--key", required = true, paramLabel = "ID", description = "The key's id (ca status)")
        long key;
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true, description = "Create a new CA key in the same token"
            + " as the active one, as pending: trusted at once (agents install it), signing nothing until activated.")
    static final class Rotate extends Step {
        @Option(names = "--algorithm", description = "ecdsa-p256, ecdsa-p384, rsa-3072, rsa-4096 (default: ca.algorithm)")
        String algorithm;

        @Override
        public Integer call() {
            CertType p = purpose(purpose);
            Optional<CaAlgorithm> alg = Optional.ofNullable(algorithm).map(CaAlgorithm::parse);
            CaKeyRow k = withLifecycle(config.load(), l -> l.rotate(caller(), p, alg));
            out().println(describe(k) + "; in the trust bundle (version " + k.trustVersion() + "); activate it with"
                    + " 'keyward-server ca activate --purpose " + p.label() + " --key " + k.id() + "' once 'ca status'"
                    + " shows the hosts trust it");
            return 0;
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true, description = "Make a pending key sign; the active"
            + " key retires. Refused while enrolled hosts seen in the last day do not trust a user key yet.")
    static final class Activate extends KeyStep {
        @Option(names = "--force", description = "Activate even though some hosts do not trust it yet")
        boolean force;

        @Override
        public Integer call() {
            CertType p = purpose(purpose);
            CaKeyRow k = withLifecycle(config.load(), l -> l.activate(caller(), p, key, force));
            out().println(describe(k));
            return 0;
        }
    }

    @Command(name = "destroy", mixinStandardHelpOptions = true, description = "Delete the key from its token"
            + " (C_DestroyObject); its public key stays on record. Refused for the active key, and for a retired key"
            + " while certificates it signed are valid.")
    static final class Destroy extends KeyStep {
        @Option(names = "--force", description = "Destroy a retired key although certificates it signed are valid")
        boolean force;

        @Override
        public Integer call() {
            CertType p = purpose(purpose);
            CaKeyRow k = withLifecycle(config.load(), l -> l.destroy(caller(), p, key, force));
            out().println(describe(k));
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Emergency: put the CA key into the KRL"
            + " (sshd refuses every certificate it signed) and out of the trust bundle; if it was active, a pending"
            + " key (or a new one) signs in its place.")
    static final class Revoke extends KeyStep {
        @Option(names = "--reason", required = true, description = "Why (recorded in the audit log and the KRL)")
        String reason;

        @Override
        public Integer call() {
            CertType p = purpose(purpose);
            CaKeyLifecycle.Revoked r = withLifecycle(config.load(), l -> l.revoke(caller(), p, key, reason));
            out().println(describe(r.key()) + "; KRL version " + r.krlVersion());
            r.replacement().ifPresent(n -> out().println("signing now: " + describe(n)));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Every CA key with its state, age and"
            + " certificates still valid, and the rotation's progress across the enrolled hosts.")
    static final class Status implements Callable<Integer> {
        @Mixin
        KeywardServerCli.ConfigOption config = new KeywardServerCli.ConfigOption();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ServerConfig cfg = config.load();
            CaKeyStatus.Status s;
            try (Database db = Database.open(cfg.database(), cfg.home())) {
                db.migrate();
                s = new CaKeyStatus(db, Clock.systemUTC()).status();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("trust bundle version " + s.trustVersion());
            for (CaKeyStatus.KeyStatus k : s.keys()) {
                out.println(String.format("%-4s %-5s %-9s %s %s-%d age %s, %d valid certificate(s)%s", k.key().id(),
                        k.key().purpose().label(), k.key().state().label(), k.key().fingerprint(), k.algorithm(),
                        k.bits(), Durations.format(k.age().withNanos(0)), k.validCertificates(),
                        k.trusted() ? ", trusted" : ""));
            }
            for (CaKeyStatus.Progress p : s.progress()) {
                out.println(p.summary());
            }
            return 0;
        }
    }
}
