package dev.keyward.cli;

import dev.keyward.ca.Durations;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.cli.cert.CertFiles;
import dev.keyward.cli.ssh.LoginKey;
import dev.keyward.cli.ssh.SshAgent;
import dev.keyward.cli.ssh.UserKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Puts the login's key and certificate where ssh finds them: the certificate file beside the key, and ssh-agent.
 * An in-memory key goes into the agent before the token is sent (an agent that will not take it stops the login
 * before a certificate is issued), for {@link #PROVISIONAL} until the certificate's lifetime replaces that; a failed
 * login takes it out again. After loading, the agent's list shows whether it kept the certificate: an agent that
 * refuses certificates, or accepts and drops them (gpg-agent does), is named in a warning, and ssh uses the file.
 */
final class KeyLoader implements AutoCloseable {
    /** How long an in-memory key stays in the agent if the login stops between adding it and the certificate. */
    static final Duration PROVISIONAL = Duration.ofMinutes(5);

    private final LoginKey key;
    private final Optional<SshAgent> agent;
    private final List<byte[]> previous = new ArrayList<>();
    private boolean loaded;

    private KeyLoader(LoginKey key, Optional<SshAgent> agent) {
        this.key = key;
        this.agent = agent;
    }

    /** For an in-memory key, loads it into the agent now; refused (nothing issued yet) when the agent will not. */
    static KeyLoader prepare(LoginKey key, Optional<SshAgent> agent) {
        KeyLoader loader = new KeyLoader(key, agent);
        if (key instanceof LoginKey.Memory m) {
            try {
                agent.orElseThrow().addKey(m.key(), PROVISIONAL);
            } catch (InvalidInputException e) {
                m.key().destroy();
                throw new InvalidInputException(e.getMessage() + "; the key was made for Keyward alone and lives only"
                        + " in ssh-agent: pass --write-key to keep it in " + m.path() + " instead, or --key PATH");
            }
        }
        return loader;
    }

    /** Writes {@code PATH-cert.pub} and, for an in-memory key, {@code PATH.pub} (the public half) before it. */
    void write(SignedCertificate cert) throws IOException {
        if (key instanceof LoginKey.Memory m) {
            Path pub = UserKeys.pub(m.path());
            // the key and certificate of the previous login: replaced here, so taken out of the agent after loading
            try {
                previous.add(UserKeys.publicKey(m.path()).blob());
                CertFiles.read(m.path()).ifPresent(c -> previous.add(c.encoded()));
            } catch (InvalidInputException noneOrUnreadable) {
                // nothing usable there: nothing to take out of the agent either
            }
            UserKeys.makeSshDir(pub.getParent());
            AtomicFiles.write(pub, (m.publicKey().toOpenSsh() + "\n").getBytes(StandardCharsets.US_ASCII),
                    "rw-r--r--");
        }
        CertFiles.write(key.path(), cert, key.publicKey().comment());
    }

    /** Loads key and certificate into the agent until the certificate expires, saying how that went. */
    void load(SignedCertificate cert, Duration lifetime, PrintWriter out, PrintWriter err) {
        if (agent.isEmpty()) {
            if (key instanceof LoginKey.File) {
                out.println("  ssh-agent:   not running (SSH_AUTH_SOCK is unset); ssh uses the certificate file");
            }
            return;
        }
        SshAgent a = agent.get();
        String keyLoaded;
        String dropped; // why the agent does not hold the certificate, if it does not
        if (key instanceof LoginKey.Memory m) {
            a.addKey(m.key(), lifetime);
            boolean accepted = a.addCertificate(m.key(), cert, lifetime);
            loaded = true;
            previous.stream().filter(b -> !Arrays.equals(b, m.publicKey().blob()) && !Arrays.equals(b, cert.encoded()))
                    .forEach(a::remove);
            keyLoaded = "key (in memory only)";
            dropped = accepted ? "it accepted the certificate but does not list it" : "it refused the certificate";
        } else {
            SshAgent.Outcome r = a.add(key.path(), lifetime);
            if (!r.ok()) {
                // The certificate is written and usable with ssh -i; the agent is a convenience, so this only warns.
                err.println("keyward: warning: ssh-add failed, the certificate is not in ssh-agent: " + r.message());
                return;
            }
            keyLoaded = "key";
            // ssh-add exits 0 either way
            dropped = "ssh-add loaded the key, but the agent does not list the certificate";
        }
        if (a.holds(cert)) {
            out.println("  ssh-agent:   " + keyLoaded + " and certificate loaded for " + Durations.format(lifetime));
            return;
        }
        out.println("  ssh-agent:   " + keyLoaded + " loaded for " + Durations.format(lifetime)
                + "; the agent did not keep the certificate");
        String use = key instanceof LoginKey.Memory ? "ssh -i " + CertFiles.certPath(key.path())
                + " (the key stays in the agent)" : "ssh -i " + key.path();
        err.println("keyward: warning: " + a.describe() + " cannot hold certificates (" + dropped + "); ssh still"
                + " uses the certificate file: " + use + ", or plain ssh after keyward ssh-config --install");
    }

    /** A login that stopped before loading takes its in-memory key out of the agent; the seed is wiped anyway. */
    @Override
    public void close() {
        if (key instanceof LoginKey.Memory m) {
            if (!loaded) {
                agent.ifPresent(a -> a.remove(m.publicKey().blob()));
            }
            m.key().destroy();
        }
    }
}
