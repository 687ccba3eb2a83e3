package dev.keyward.cli.ssh;

import dev.keyward.ca.key.SshPublicKey;
import java.nio.file.Path;

/**
 * The key {@code keyward login} certifies: a key file (the engineer's own, or Keyward's written with
 * {@code --write-key}), or a new key that lives only in ssh-agent. Either way its certificate goes to
 * {@code PATH-cert.pub} and, for the in-memory key, its public half to {@code PATH.pub}, where ssh looks for them.
 */
public sealed interface LoginKey {
    Path path();

    SshPublicKey publicKey();

    /** A private key file; ssh-add loads it (asking for its passphrase itself). */
    record File(Path path, SshPublicKey publicKey) implements LoginKey {
    }

    /** Keyward's own key, never written: {@code path} is where its public half and certificate go. */
    record Memory(Path path, MemoryKey key) implements LoginKey {
        @Override
        public SshPublicKey publicKey() {
            return key.publicKey();
        }
    }
}
