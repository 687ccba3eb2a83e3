package dev.keyward.cli;

import dev.keyward.ca.Durations;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.cli.cert.CertFiles;
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
import picocli.CommandLine.ParentCommand;

/** {@code keyward status}: the local certificate and whether ssh-agent holds it. Exit 1 without a valid one. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show your certificate and whether"
        + " ssh-agent holds it; exit 1 if there is no valid certificate.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    KeywardCli root;

    @Mixin
    KeyOptions keyOptions;

    @Override
    public Integer call() {
        CliEnv env = root.env;
        PrintWriter out = root.spec.commandLine().getOut();
        Path key = resolveKey(keyOptions, env);
        Path file = CertFiles.certPath(key);
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

    static Path resolveKey(KeyOptions options, CliEnv env) {
        CliConfig cfg = options.load(env);
        return options.explicitKey(env, cfg).or(() -> UserKeys.findDefault(env.home())).orElseThrow(() ->
                new InvalidInputException("no SSH key in " + env.home().resolve(".ssh") + " (id_ed25519, id_ecdsa,"
                        + " id_rsa): pass --key PATH"));
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
