package dev.keyward.cli.ssh;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.cli.config.CliEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engineer's key pair. Only the public half ({@code KEY.pub}) is read; the private key never leaves
 * ssh-keygen, ssh-add and ssh. Without {@code --key}: the first of {@code ~/.ssh/id_ed25519}, {@code id_ecdsa},
 * {@code id_rsa} that exists; with none, {@code ssh-keygen -t ed25519} creates {@code ~/.ssh/id_ed25519} when a
 * person is at the terminal (ssh-keygen asks for the passphrase itself), and the CLI refuses otherwise.
 */
public final class UserKeys {
    public static final List<String> DEFAULT_NAMES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    private UserKeys() {
    }

    /** The first default key that exists. */
    public static Optional<Path> findDefault(Path home) {
        return DEFAULT_NAMES.stream().map(n -> home.resolve(".ssh").resolve(n))
                .filter(p -> Files.exists(p) || Files.exists(Path.of(p + ".pub"))).findFirst();
    }

    /** The default key, generated when there is none and a person can type its passphrase. */
    public static Path defaultKey(CliEnv env, java.io.PrintWriter out) {
        Optional<Path> found = findDefault(env.home());
        if (found.isPresent()) {
            return found.get();
        }
        Path key = env.home().resolve(".ssh/id_ed25519");
        if (!env.interactive()) {
            throw new InvalidInputException("no SSH key in " + env.home().resolve(".ssh") + " (id_ed25519, id_ecdsa,"
                    + " id_rsa): create one with 'ssh-keygen -t ed25519' or pass --key PATH");
        }
        out.println("No SSH key found; creating " + key + " with ssh-keygen (choose a passphrase).");
        out.flush();
        try {
            Path dir = Files.createDirectories(key.getParent());
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new InvalidInputException("cannot create " + key.getParent() + ": " + e.getMessage());
        }
        Proc.Result r = Proc.run(List.of("ssh-keygen", "-t", "ed25519", "-f", key.toString()),
                Map.of("HOME", env.home().toString()), true, Duration.ofMinutes(5));
        if (r.exitCode() != 0 || !Files.exists(Path.of(key + ".pub"))) {
            throw new InvalidInputException("ssh-keygen did not create " + key + " (exit " + r.exitCode() + ")");
        }
        return key;
    }

    /** Reads and validates {@code KEY.pub}. */
    public static SshPublicKey publicKey(Path privateKey) {
        Path pub = Path.of(privateKey + ".pub");
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
