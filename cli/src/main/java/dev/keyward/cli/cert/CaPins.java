package dev.keyward.cli.cert;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trust on first use for user CA keys: {@code ~/.config/keyward/user_ca_pins} holds, per server, the user
 * CA keys that server published at the engineer's first login ({@code <scheme://host:port> <key type> <base64>}
 * lines, keyed by {@link PinKey}; lines of older versions keyed by the URL string are read through the same rule,
 * and lines naming one server are merged). Later logins send the token only to a server that publishes a pinned
 * key ({@link #requirePinnedPublished}) and accept only certificates signed by a pinned key, so a server impostor
 * (a wrong URL, a hijacked DNS name with a valid TLS certificate) cannot hand out certificates from its own CA. A
 * CA rotation needs {@code keyward login --accept-new-ca}, which re-pins what the server publishes then.
 *
 * <p>{@code ~/.config/keyward/host_ca_pins} holds the host CA keys the same way, pinned by {@code keyward ssh-config}
 * ({@link #loadHost}): the keys it writes into ssh's known_hosts as {@code @cert-authority}.
 */
public final class CaPins {
    public static final String FILE_NAME = "user_ca_pins";
    public static final String HOST_FILE_NAME = "host_ca_pins";
    private static final PublicKeyParser PARSER = new PublicKeyParser(new KeyPolicy(2048));

    private final Path file;
    private final String header;
    private final Map<String, List<SshPublicKey>> byServer;

    private CaPins(Path file, String header, Map<String, List<SshPublicKey>> byServer) {
        this.file = file;
        this.header = header;
        this.byServer = byServer;
    }

    /** The user CA pins of {@code keyward login}. */
    public static CaPins load(Path configDir) {
        return load(configDir.resolve(FILE_NAME), "# user CA keys pinned by keyward login (trust on first use)\n");
    }

    /** The host CA pins of {@code keyward ssh-config}. */
    public static CaPins loadHost(Path configDir) {
        return load(configDir.resolve(HOST_FILE_NAME),
                "# host CA keys pinned by keyward ssh-config (trust on first use)\n");
    }

    private static CaPins load(Path file, String header) {
        Map<String, List<SshPublicKey>> m = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new CaPins(file, header, m);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + e.getMessage());
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(" ", 2);
            try {
                if (parts.length < 2) {
                    throw new InvalidInputException("expected '<server URL> <public key>'");
                }
                SshPublicKey key = PARSER.parseLine(parts[1]);
                List<SshPublicKey> keys = m.computeIfAbsent(PinKey.of(parts[0]), k -> new ArrayList<>());
                if (!keys.contains(key)) {
                    keys.add(key);
                }
            } catch (InvalidInputException e) {
                throw new InvalidInputException(file + " line " + (i + 1) + ": " + e.getMessage()
                        + " (fix or delete the line; the server's keys are pinned again next time)");
            }
        }
        return new CaPins(file, header, m);
    }

    /** The keys pinned for {@code server}; empty if none were. */
    public List<SshPublicKey> pinned(URI server) {
        return List.copyOf(byServer.getOrDefault(PinKey.of(server), List.of()));
    }

    /**
     * Before the token is sent: with keys pinned for {@code server}, at least one key it publishes now must be one
     * of them. A server publishing only keys the engineer never trusted (a CA rotation, or an impostor) is refused
     * here, so it never sees the token. An impostor can publish the pinned public keys too; then the certificate it
     * returns fails {@link CertVerifier}, but only TLS keeps the token from it.
     */
    public static void requirePinnedPublished(URI server, List<SshPublicKey> published, List<SshPublicKey> pinned) {
        if (pinned.isEmpty() || published.stream().anyMatch(pinned::contains)) {
            return;
        }
        throw new CertificateRejectedException("the server publishes no user CA key pinned for " + PinKey.of(server)
                + " (it publishes " + fingerprints(published) + "; pinned: " + fingerprints(pinned) + "); the token"
                + " was not sent. If your admins rotated the user CA, check the new fingerprint with them and run"
                + " keyward login --accept-new-ca");
    }

    /**
     * Before host CA keys go into known_hosts: with keys pinned for {@code server}, every key it publishes must be
     * one of them, since each one written vouches for every matching host. A new key (a host CA rotation, or a
     * server that is not yours) is refused with its fingerprint until {@code --accept-new-ca} pins it.
     */
    public static void requireAllPinned(URI server, List<SshPublicKey> published, List<SshPublicKey> pinned) {
        List<SshPublicKey> unpinned = published.stream().filter(k -> !pinned.contains(k)).toList();
        if (pinned.isEmpty() || unpinned.isEmpty()) {
            return;
        }
        throw new CertificateRejectedException("the server publishes host CA key " + fingerprints(unpinned)
                + ", which is not pinned for " + PinKey.of(server) + " (pinned: " + fingerprints(pinned) + "); nothing"
                + " was written. If your admins rotated the host CA, check the new fingerprint with them and run"
                + " keyward ssh-config --install --accept-new-ca");
    }

    public static String fingerprints(Collection<SshPublicKey> keys) {
        return String.join(", ", keys.stream().map(SshPublicKey::fingerprint).toList());
    }

    /** Replaces the pins of {@code server} and writes the file atomically. */
    public void pin(URI server, List<SshPublicKey> keys) throws IOException {
        byServer.put(PinKey.of(server), List.copyOf(keys));
        StringBuilder b = new StringBuilder(header);
        byServer.forEach((s, ks) -> ks.forEach(k -> b.append(s).append(' ').append(k.toOpenSshWithoutComment())
                .append('\n')));
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8), "rw-r--r--");
    }

    public Path file() {
        return file;
    }
}
