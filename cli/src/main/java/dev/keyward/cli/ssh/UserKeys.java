package dev.keyward.cli.ssh;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.cli.config.CliEnv;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engineer's key pair. Of a key file only the public half ({@code KEY.pub}) is read; the private key never
 * leaves ssh-keygen, ssh-add and ssh. Without {@code --key} (or {@code key} in the config): the first of
 * {@code ~/.ssh/id_ed25519}, {@code id_ecdsa}, {@code id_rsa} that exists, else Keyward's own key
 * {@code ~/.ssh/keyward_ed25519}: a new Ed25519 key at each login that lives only in ssh-agent
 * ({@link MemoryKey}; its public half and certificate are written beside the path), or, with {@code --write-key},
 * a key file that ssh-keygen writes (mode 0600) and later logins reuse.
 */
public final class UserKeys {
    public static final List<String> DEFAULT_NAMES = List.of("id_ed25519", "id_ecdsa", "id_rsa");
    /** Keyward's own key, made by login when there is no other. */
    public static final String KEYWARD_KEY = "keyward_ed25519";
    static final String MEMORY_KEY_COMMENT = "keyward";

    private UserKeys() {
    }

    public static Path keywardKey(Path home) {
        return home.resolve(".ssh").resolve(KEYWARD_KEY);
    }

    /**
     * The first default key that exists (file or {@code .pub}), else Keyward's key when its private key or public
     * half exists: the key status, logout and ssh-config look at.
     */
    public static Optional<Path> findDefault(Path home) {
        List<Path> candidates = new ArrayList<>(DEFAULT_NAMES.stream().map(n -> home.resolve(".ssh").resolve(n))
                .toList());
        candidates.add(keywardKey(home));
        return candidates.stream().filter(p -> Files.exists(p) || Files.exists(pub(p))).findFirst();
    }

    /** Whether {@code key} is Keyward's key held only in ssh-agent: its path without a private key file. */
    public static boolean inMemory(Path key, Path home) {
        return key.equals(keywardKey(home)) && !Files.exists(key, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The key {@code login} certifies: {@code explicit} (flag or config), else a default key file, else Keyward's
     * key file if one was written, else a new Keyward key: written by ssh-keygen with {@code writeKey}, else in
     * memory, which needs an {@code agent} to live in.
     */
    public static LoginKey forLogin(CliEnv env, Optional<Path> explicit, boolean writeKey, Optional<SshAgent> agent,
            PrintWriter out) {
        if (explicit.isPresent()) {
            return file(explicit.get());
        }
        Path keyward = keywardKey(env.home());
        Optional<Path> found = DEFAULT_NAMES.stream().map(n -> env.home().resolve(".ssh").resolve(n))
                .filter(p -> Files.exists(p) || Files.exists(pub(p))).findFirst()
                .or(() -> Optional.of(keyward).filter(Files::exists));
        if (found.isPresent()) {
            return file(found.get());
        }
        if (writeKey) {
            makeSshDir(keyward.getParent());
            return file(generateFile(env, keyward, out));
        }
        if (agent.isEmpty()) {
            throw new InvalidInputException("no SSH key in " + keyward.getParent() + " and no ssh-agent to hold a new"
                    + " one (SSH_AUTH_SOCK is unset, or --no-agent): start ssh-agent, or pass --write-key to keep a new"
                    + " key in " + keyward + ", or --key PATH");
        }
        return new LoginKey.Memory(keyward, MemoryKey.generate(MEMORY_KEY_COMMENT));
    }

    private static LoginKey file(Path key) {
        return new LoginKey.File(key, publicKey(key));
    }

    /** {@code ssh-keygen -t ed25519}: asks for a passphrase at a terminal, none otherwise (mode 0600 either way). */
    private static Path generateFile(CliEnv env, Path key, PrintWriter out) {
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", "ed25519", "-C", KEYWARD_KEY, "-f",
                key.toString()));
        if (env.interactive()) {
            out.println("Creating " + key + " for Keyward with ssh-keygen (choose a passphrase).");
            out.flush();
        } else {
            cmd.addAll(List.of("-N", "")); // nobody to type one; the file is 0600 like any unencrypted key
        }
        Proc.Result r = Proc.run(cmd, Map.of("HOME", env.home().toString()), env.interactive(), Duration.ofMinutes(5));
        if (r.exitCode() != 0 || !Files.exists(key) || !Files.exists(pub(key))) {
            throw new InvalidInputException("ssh-keygen did not create " + key + " (exit " + r.exitCode() + ")"
                    + (r.output().isEmpty() ? "" : ": " + r.output()));
        }
        return key;
    }

    /** Creates {@code ~/.ssh} (mode 0700) if it is missing. */
    public static void makeSshDir(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new InvalidInputException("cannot create " + dir + ": " + e.getMessage());
        }
    }

    public static Path pub(Path privateKey) {
        return Path.of(privateKey + ".pub");
    }

    /** Reads and validates {@code KEY.pub}. */
    public static SshPublicKey publicKey(Path privateKey) {
        Path pub = pub(privateKey);
        if (!Files.isRegularFile(pub)) {
            throw new InvalidInputException("public key " + pub + " does not exist (the certificate is for the"
                    + " key pair " + privateKey + "; 'ssh-keygen -y -f " + privateKey + " > " + pub
                    + "' recreates it)");
        }
        try {
            if (Files.size(pub) > PublicKeyParser.MAX_INPUT_BYTES) {
                throw new InvalidInputException(pub + " is too large to be a public key");
            }
            return PublicKeyParser.withDefaults().parseLine(Files.readString(pub).strip());
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + pub + ": " + e.getMessage());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(pub + ": " + e.getMessage());
        }
    }
}
