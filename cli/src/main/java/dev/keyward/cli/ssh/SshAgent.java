package dev.keyward.cli.ssh;

import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.cli.config.CliEnv;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engineer's ssh-agent, through {@code ssh-add} and the socket in {@code SSH_AUTH_SOCK}. {@code ssh-add
 * KEY} loads the key and the {@code KEY-cert.pub} beside it; {@code -t} makes the agent forget both when the
 * certificate expires.
 */
public final class SshAgent {
    public static final String SOCK_ENV = "SSH_AUTH_SOCK";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A person may need a while to type the key's passphrase. */
    private static final Duration INTERACTIVE_TIMEOUT = Duration.ofMinutes(5);

    private final CliEnv env;
    private final String socket;

    private SshAgent(CliEnv env, String socket) {
        this.env = env;
        this.socket = socket;
    }

    /** The agent named by {@code SSH_AUTH_SOCK}; empty when that is unset. */
    public static Optional<SshAgent> of(CliEnv env) {
        return env.get(SOCK_ENV).map(s -> new SshAgent(env, s));
    }

    public String socket() {
        return socket;
    }

    /** The outcome of an ssh-add run: success, or what ssh-add said. */
    public record Outcome(boolean ok, String message) {
    }

    /** {@code ssh-add -t SECONDS KEY}: loads the key and its certificate for {@code lifetime}. */
    public Outcome add(Path privateKey, Duration lifetime) {
        long seconds = Math.max(1, lifetime.toSeconds());
        Proc.Result r = Proc.run(List.of("ssh-add", "-q", "-t", Long.toString(seconds), privateKey.toString()),
                processEnv(), env.interactive(), env.interactive() ? INTERACTIVE_TIMEOUT : TIMEOUT);
        return new Outcome(r.exitCode() == 0, r.output());
    }

    /** Whether the agent holds exactly this certificate ({@code ssh-add -L} lists it). */
    public boolean holds(SignedCertificate cert) {
        Proc.Result r = Proc.run(List.of("ssh-add", "-L"), processEnv(), false, TIMEOUT);
        if (r.exitCode() != 0) {
            return false; // 1: the agent has no identities; 2: no agent at that socket
        }
        String blob = Base64.getEncoder().encodeToString(cert.encoded());
        return r.stdout().lines().map(l -> l.split(" ")).anyMatch(f -> f.length >= 2
                && f[0].equals(cert.certTypeName()) && f[1].equals(blob));
    }

    /** {@code ssh-add -d KEY-cert.pub}: removes only the certificate (the plain key stays, with its lifetime). */
    public Outcome removeCertificate(Path certFile) {
        Proc.Result r = Proc.run(List.of("ssh-add", "-q", "-d", certFile.toString()), processEnv(), false, TIMEOUT);
        return new Outcome(r.exitCode() == 0, r.output());
    }

    private Map<String, String> processEnv() {
        return Map.of(SOCK_ENV, socket, "HOME", env.home().toString());
    }
}
