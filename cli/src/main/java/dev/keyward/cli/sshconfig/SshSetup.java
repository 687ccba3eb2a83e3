package dev.keyward.cli.sshconfig;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.cli.cert.CaPins;
import dev.keyward.cli.cert.CertFiles;
import dev.keyward.cli.cert.PinKey;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code keyward ssh-config} writes, as text: {@code ~/.ssh/keyward/known_hosts} with an {@code @cert-authority}
 * line per pinned host CA key (all of them during a rotation), {@code ~/.ssh/keyward/config} with one {@code Host}
 * block, and the {@code Include} line that goes at the top of {@code ~/.ssh/config}. At the top, because ssh takes
 * the first value it reads for each option (ssh_config(5)): the block then wins over the engineer's own settings for
 * these hosts, and a {@code Host} line inside an included file ends with that file, so the rest of
 * {@code ~/.ssh/config} reads as before. The text depends only on its inputs: the same inputs give the same bytes.
 *
 * <p>The block sets {@code UserKnownHostsFile} to the Keyward file alone and {@code StrictHostKeyChecking yes}: a
 * matching host is trusted only through a certificate from the pinned host CA, never by answering "yes" to an
 * unknown key; and {@code IdentityFile}/{@code CertificateFile} to the login key and its certificate (for a key that
 * lives only in ssh-agent, ssh takes the public half from {@code KEY.pub} and signs through the agent).
 */
public record SshSetup(Path home, URI server, HostPatterns hosts, Path key, List<SshPublicKey> hostCaKeys) {
    public static final String INCLUDE_TARGET = "~/.ssh/keyward/config";

    public SshSetup {
        hostCaKeys = List.copyOf(hostCaKeys);
    }

    public Path sshDir() {
        return home.resolve(".ssh");
    }

    public Path dir() {
        return sshDir().resolve("keyward");
    }

    public Path knownHostsFile() {
        return dir().resolve("known_hosts");
    }

    public Path blockFile() {
        return dir().resolve("config");
    }

    public Path userConfig() {
        return sshDir().resolve("config");
    }

    public String knownHosts() {
        StringBuilder b = new StringBuilder();
        b.append("# Keyward host CA keys of ").append(PinKey.of(server)).append(", pinned in ~/.config/keyward/")
                .append(CaPins.HOST_FILE_NAME).append(".\n");
        b.append("# Written by keyward ssh-config --install, which replaces this file.\n");
        for (SshPublicKey k : hostCaKeys) {
            b.append("@cert-authority ").append(hosts.knownHostsField()).append(' ')
                    .append(k.toOpenSshWithoutComment()).append('\n');
        }
        return b.toString();
    }

    public String block() {
        return "# Keyward: for these hosts ssh trusts only host keys certified by Keyward's host CA, and offers your\n"
                + "# Keyward certificate. Written by keyward ssh-config --install, which replaces this file;\n"
                + "# ~/.ssh/config includes it.\n"
                + hosts.hostLine() + "\n"
                + "    UserKnownHostsFile " + arg(knownHostsFile()) + "\n"
                + "    StrictHostKeyChecking yes\n"
                + "    IdentityFile " + arg(key) + "\n"
                + "    CertificateFile " + arg(CertFiles.certPath(key)) + "\n";
    }

    public static String includeLine() {
        return "Include " + INCLUDE_TARGET;
    }

    /**
     * A path as an ssh_config argument: {@code ~/...} under the home directory; {@code %} doubled (these options
     * expand {@code %} tokens); in double quotes when it holds a space or {@code #}. A quote, backslash or control
     * character cannot be written safely, so such a path is refused.
     */
    String arg(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path h = home.toAbsolutePath().normalize();
        String s = abs.startsWith(h) && !abs.equals(h) ? "~/" + h.relativize(abs) : abs.toString();
        if (s.chars().anyMatch(c -> c == '"' || c == '\\' || c < 0x20 || c == 0x7f)) {
            throw new InvalidInputException("the path " + p + " cannot be written into an ssh config file (it holds a"
                    + " quote, backslash or control character); pass --key with another path");
        }
        s = s.replace("%", "%%");
        return s.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '#') ? "\"" + s + "\"" : s;
    }
}
