package dev.keyward.cli;

import dev.keyward.ca.Durations;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.cli.cert.CertFiles;
import dev.keyward.cli.cert.Renewal;
import dev.keyward.cli.config.CliConfig;
import dev.keyward.cli.config.CliEnv;
import dev.keyward.cli.server.Printable;
import dev.keyward.cli.ssh.SshAgent;
import dev.keyward.cli.ssh.UserKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code keyward status}: the local certificate and whether ssh-agent holds it. Exit 1 without a valid one. With
 * {@code --needs-renewal}, one line and exit 0 when the certificate is due for renewal ({@link Renewal}), 1 when
 * not: the condition of a systemd timer that runs {@code keyward login --renew}.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show your certificate and whether"
        + " ssh-agent holds it; exit 1 if there is no valid certificate.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    KeywardCli root;

    @Mixin
    KeyOptions keyOptions;

    @Option(names = "--needs-renewal", description = "Only say whether to renew: exit 0 when the certificate has"
            + " less than a third of its lifetime left, is missing or expired, is for another key, or (a key kept only"
            + " in ssh-agent) the agent no longer holds the key; exit 1 otherwise.")
    boolean needsRenewal;

    @Override
    public Integer call() {
        CliEnv env = root.env;
        PrintWriter out = root.spec.commandLine().getOut();
        Path key = resolveKey(keyOptions, env);
        Path file = CertFiles.certPath(key);
        if (needsRenewal) {
            Verdict v = renewal(env, key);
            out.println((v.due() ? "renewal needed: " : "no renewal needed: ") + v.why());
            return v.due() ? 0 : KeywardCli.EXIT_FAILURE;
        }
        Optional<SignedCertificate> found = CertFiles.read(key);
        if (found.isEmpty()) {
            out.println("No certificate: " + file + " does not exist (run keyward login)");
            return KeywardCli.EXIT_FAILURE;
        }
        SignedCertificate cert = found.get();
        Certificate c = cert.certificate();
        Instant now = env.clock().instant();
        boolean valid = c.isValidAt(now.getEpochSecond());
        out.println("Certificate " + file);
        out.println("  key:         " + c.key().type().displayName() + " " + c.key().fingerprint());
        out.println("  principals:  " + principals(c));
        out.println("  key id:      " + Printable.clean(c.keyId(), 255));
        out.println("  serial:      " + Long.toUnsignedString(c.serial()));
        out.println("  valid:       " + c.validAfterInstant() + " to " + c.validBeforeInstant());
        out.println("  status:      " + state(c, now));
        out.println("  CA:          " + cert.caKey().type().displayName() + " " + cert.caKey().fingerprint());
        if (!c.key().equals(UserKeys.publicKey(key))) {
            out.println("  warning:     the certificate is for another key than " + key + ".pub");
            valid = false;
        }
        Optional<SshAgent> agent = SshAgent.of(env);
        out.println("  ssh-agent:   " + (agent.isEmpty() ? "not running (SSH_AUTH_SOCK is unset)"
                : agent.get().holds(cert) ? "holds this certificate" : "does not hold this certificate"));
        return valid ? 0 : KeywardCli.EXIT_FAILURE;
    }

    /** The key from the flag or config, else the first default key, else Keyward's key (made by login). */
    static Path resolveKey(KeyOptions options, CliEnv env) {
        CliConfig cfg = options.load(env);
        return options.explicitKey(env, cfg).or(() -> UserKeys.findDefault(env.home()))
                .orElseGet(() -> UserKeys.keywardKey(env.home()));
    }

    /** Whether the certificate beside {@code key} is due for renewal, and why (or why not). */
    record Verdict(boolean due, String why) {
        static Verdict due(String why) {
            return new Verdict(true, why);
        }
    }

    static Verdict renewal(CliEnv env, Path key) {
        Path file = CertFiles.certPath(key);
        SignedCertificate cert;
        try {
            Optional<SignedCertificate> found = CertFiles.read(key);
            if (found.isEmpty()) {
                return Verdict.due("no certificate at " + file);
            }
            cert = found.get();
        } catch (InvalidInputException e) {
            return Verdict.due(e.getMessage());
        }
        Certificate c = cert.certificate();
        Instant now = env.clock().instant();
        String left = Durations.format(Duration.between(now, c.validBeforeInstant())) + " of "
                + Durations.format(Duration.between(c.validAfterInstant(), c.validBeforeInstant())) + " left";
        if (Renewal.due(c, now)) {
            return Verdict.due(now.isBefore(c.validBeforeInstant()) ? left + " (less than a third)"
                    : "the certificate expired " + Durations.format(Duration.between(c.validBeforeInstant(), now))
                            + " ago");
        }
        try {
            if (!c.key().equals(UserKeys.publicKey(key))) {
                return Verdict.due("the certificate is for another key than " + key + ".pub");
            }
        } catch (InvalidInputException e) {
            return Verdict.due(e.getMessage());
        }
        if (UserKeys.inMemory(key, env.home())) {
            // the in-memory key is gone with its agent (a reboot, a new session): the certificate alone is useless
            Optional<SshAgent> agent = SshAgent.of(env);
            if (agent.isEmpty() || !(agent.get().holds(c.key()) || agent.get().holds(cert))) {
                return Verdict.due("the key " + key + " lived only in ssh-agent, and " + agent.map(a -> a.describe()
                        + " does not hold it").orElse("SSH_AUTH_SOCK is unset"));
            }
        }
        return new Verdict(false, left);
    }

    static String state(Certificate c, Instant now) {
        if (now.isBefore(c.validAfterInstant())) {
            return "not yet valid (starts in " + Durations.format(Duration.between(now, c.validAfterInstant())) + ")";
        }
        if (!now.isBefore(c.validBeforeInstant())) {
            return "expired " + Durations.format(Duration.between(c.validBeforeInstant(), now)) + " ago";
        }
        return "valid, " + Durations.format(Duration.between(now, c.validBeforeInstant())) + " left";
    }

    static String principals(Certificate c) {
        return Printable.clean(String.join(",", c.principals()), 1000);
    }
}
