package dev.keyward.agent.credential;

import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.trust.CommandRunner;
import dev.keyward.agent.trust.HostCerts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Signs a message with a host's private key through OpenSSH itself ({@code ssh-keygen -Y sign -f KEY -n NAMESPACE},
 * the message on standard input), so the agent never parses or holds a private key: ssh-keygen reads it, and only
 * the signature (an armored SSHSIG, PROTOCOL.sshsig) comes back. The private key is the public key's path without
 * {@code .pub}, as sshd names them; its path goes to ssh-keygen and nowhere else.
 */
public final class HostKeySigner {
    /** The namespace the server expects. */
    public static final String NAMESPACE = dev.keyward.ca.sign.SshSig.HOST_CREDENTIAL_NAMESPACE;
    static final String BEGIN = "-----BEGIN SSH SIGNATURE-----";
    static final String END = "-----END SSH SIGNATURE-----";
    private static final long TIMEOUT_SECONDS = 30;

    private final AgentPaths paths;
    private final String sshKeygen;

    public HostKeySigner(AgentPaths paths, String sshKeygen) {
        this.paths = paths;
        this.sshKeygen = sshKeygen;
    }

    /** The armored signature of {@code message} by the private half of {@code key}; IOException naming the key. */
    public String sign(HostCerts.HostKey key, byte[] message) throws IOException {
        if (!key.pubPath().endsWith(".pub")) {
            throw new IOException(key.pubPath() + ": no private key beside it (the name does not end in .pub)");
        }
        Path privateKey = paths.resolve(key.pubPath().substring(0, key.pubPath().length() - ".pub".length()));
        if (!Files.isRegularFile(privateKey)) {
            throw new IOException(key.pubPath() + ": its private key is missing");
        }
        CommandRunner.Result r = CommandRunner.runWithInput(List.of(sshKeygen, "-Y", "sign", "-f",
                privateKey.toString(), "-n", NAMESPACE), message, TIMEOUT_SECONDS);
        int begin = r.output().indexOf(BEGIN);
        int end = r.output().indexOf(END);
        if (!r.ok() || begin < 0 || end < begin) {
            String why = r.errors().isEmpty() ? r.output() : r.errors();
            throw new IOException(key.pubPath() + ": ssh-keygen could not sign with its private key (exit "
                    + r.exitCode() + (why.isEmpty() ? "" : ": " + firstLine(why)) + ")");
        }
        return r.output().substring(begin, end + END.length()) + "\n";
    }

    private static String firstLine(String s) {
        String line = s.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
