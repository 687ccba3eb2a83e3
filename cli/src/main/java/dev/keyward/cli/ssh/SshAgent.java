package dev.keyward.cli.ssh;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.cli.config.CliEnv;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engineer's ssh-agent, at the socket in {@code SSH_AUTH_SOCK}. A key file is loaded with {@code ssh-add KEY},
 * which also loads the {@code KEY-cert.pub} beside it and asks for the key's passphrase itself; an in-memory key
 * ({@link MemoryKey}) goes over the agent protocol ({@link AgentClient}). Either way the agent forgets key and
 * certificate when the certificate expires ({@code -t}, the lifetime constraint). What the agent holds is read
 * with the protocol's identity list, which is also how an agent that accepts a certificate and drops it
 * (gpg-agent) is caught.
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

    /**
     * Loads the plain in-memory key for {@code lifetime}. Refused (an {@link InvalidInputException} naming the
     * agent) when the agent cannot be reached or does not take the key: then the key cannot live anywhere.
     */
    public void addKey(MemoryKey key, Duration lifetime) {
        byte[] fields = key.agentFields();
        try (AgentClient c = connect()) {
            if (!c.add(fields, key.publicKey().comment(), lifetime)) {
                throw new InvalidInputException(describe() + " refused the new key");
            }
        } finally {
            Arrays.fill(fields, (byte) 0);
        }
    }

    /** Loads the in-memory key's certificate (with the key) for {@code lifetime}; false when the agent refuses it. */
    public boolean addCertificate(MemoryKey key, SignedCertificate cert, Duration lifetime) {
        byte[] fields = key.agentFields(cert);
        try (AgentClient c = connect()) {
            return c.add(fields, key.publicKey().comment(), lifetime);
        } finally {
            Arrays.fill(fields, (byte) 0);
        }
    }

    /** Whether the agent holds exactly this certificate; false also when it cannot be reached. */
    public boolean holds(SignedCertificate cert) {
        return holdsBlob(cert.encoded());
    }

    /** Whether the agent holds this plain key; false also when it cannot be reached. */
    public boolean holds(SshPublicKey key) {
        return holdsBlob(key.blob());
    }

    private boolean holdsBlob(byte[] blob) {
        try (AgentClient c = connect()) {
            return c.identities().stream().anyMatch(i -> Arrays.equals(i.blob(), blob));
        } catch (InvalidInputException unreachable) {
            return false;
        }
    }

    /** Removes a key or certificate by its blob; false when the agent did not hold it or cannot be reached. */
    public boolean remove(byte[] blob) {
        try (AgentClient c = connect()) {
            return c.remove(blob);
        } catch (InvalidInputException unreachable) {
            return false;
        }
    }

    /** {@code ssh-add -d KEY-cert.pub}: removes only the certificate (the plain key stays, with its lifetime). */
    public Outcome removeCertificate(Path certFile) {
        Proc.Result r = Proc.run(List.of("ssh-add", "-q", "-d", certFile.toString()), processEnv(), false, TIMEOUT);
        return new Outcome(r.exitCode() == 0, r.output());
    }

    /** {@code the ssh-agent at SOCKET (gpg-agent (pid 12))}: which program this is, as far as can be told. */
    public String describe() {
        return "the ssh-agent at " + socket + AgentName.describe(Path.of(socket)).map(n -> " (" + n + ")").orElse("");
    }

    private AgentClient connect() {
        return AgentClient.connect(Path.of(socket), TIMEOUT);
    }

    private Map<String, String> processEnv() {
        return Map.of(SOCK_ENV, socket, "HOME", env.home().toString());
    }
}
