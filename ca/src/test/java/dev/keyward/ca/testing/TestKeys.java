package dev.keyward.ca.testing;

import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.wire.SshWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** Subject keys for tests, generated at run time: every type Keyward certifies. */
public final class TestKeys {
    /** ssh-keygen arguments (type, bits) or an sk-* type built from a plain key of the same curve. */
    public static final String[] ALL_TYPES = {"ed25519", "ecdsa-256", "ecdsa-384", "ecdsa-521", "rsa-2048",
            "sk-ed25519", "sk-ecdsa"};

    private TestKeys() {
    }

    /**
     * Returns the public key file of a new key of {@code spec} in {@code dir}. For sk-* types (which need
     * hardware to generate) the public key is assembled from a plain key of the same curve: enough to
     * certify and to parse, not to log in with.
     */
    public static Path publicKeyFile(Path dir, String name, String spec) throws IOException {
        PublicKeyParser parser = PublicKeyParser.withDefaults();
        switch (spec) {
            case "sk-ed25519", "sk-ecdsa" -> {
                boolean ed = spec.equals("sk-ed25519");
                Path plain = Cmd.sshKeygen(dir, name + "-plain", ed ? "ed25519" : "ecdsa", ed ? 0 : 256);
                SshPublicKey k = parser.parseLine(Files.readString(Path.of(plain + ".pub")));
                String type = ed ? "sk-ssh-ed25519@openssh.com" : "sk-ecdsa-sha2-nistp256@openssh.com";
                byte[] blob = new SshWriter().string(type).bytes(k.blobFieldsAfterType()).string("ssh:").toByteArray();
                Path pub = dir.resolve(name + ".pub");
                Files.writeString(pub, type + " " + Base64.getEncoder().encodeToString(blob) + " " + name + "\n");
                return pub;
            }
            default -> {
                String[] parts = spec.split("-");
                Path key = Cmd.sshKeygen(dir, name, parts[0], parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
                return Path.of(key + ".pub");
            }
        }
    }

    public static SshPublicKey read(Path pub) throws IOException {
        return PublicKeyParser.withDefaults().parseLine(Files.readString(pub));
    }
}
