package dev.keyward.agent.trust;

import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.fs.FileSpec;
import dev.keyward.agent.fs.SafeFiles;
import dev.keyward.agent.sync.InvalidStateException;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.Sha256;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.krl.Krl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The trusted user CA keys file and the KRL ({@code RevokedKeys}).
 *
 * <p>An sshd whose RevokedKeys file is missing, unreadable or corrupt refuses every public-key login, and
 * {@code sshd -t} does not notice. So a KRL is installed only after {@link Krl#parseForInstall} accepted it,
 * only by atomic rename, never with a lower version than the one installed (a replayed old KRL would un-revoke
 * keys; versions are unsigned 64-bit numbers, compared as such), and before the first sync an empty valid KRL is
 * put in place.
 */
public final class TrustFiles {
    /** Both files are read by sshd running as the connecting user: root-owned, world-readable. */
    static final FileSpec SPEC = FileSpec.rootOwned(0644, 1);

    private final SafeFiles files;

    public TrustFiles(SafeFiles files) {
        this.files = files;
    }

    /**
     * Makes sure sshd's RevokedKeys and TrustedUserCAKeys name loadable files: installs an empty KRL if there
     * is none (or restores the backup, or an empty KRL, if the installed one is corrupt) and an empty CA key
     * file if there is none. Returns a message for each repair.
     */
    public List<String> ensureBaseline() throws IOException {
        List<String> done = new java.util.ArrayList<>();
        Optional<byte[]> krl = files.readSystemFile(AgentPaths.REVOKED_KEYS);
        if (krl.isEmpty()) {
            files.writeSystemFile(AgentPaths.REVOKED_KEYS, Krl.empty(0).encoded(), SPEC);
            done.add("installed an empty KRL at " + AgentPaths.REVOKED_KEYS);
        } else if (installedKrl(krl.get()).isEmpty()) {
            Optional<byte[]> bak = files.readSystemFile(AgentPaths.REVOKED_KEYS + SafeFiles.BACKUP_SUFFIX);
            byte[] replacement = bak.isPresent() && installedKrl(bak.get()).isPresent() ? bak.get()
                    : Krl.empty(0).encoded();
            files.writeSystemFile(AgentPaths.REVOKED_KEYS, replacement, SPEC);
            done.add(AgentPaths.REVOKED_KEYS + " was corrupt (sshd refuses every key login then): replaced by "
                    + (replacement == bak.orElse(null) ? "its backup" : "an empty KRL") + " until the next sync");
        }
        if (files.readSystemFile(AgentPaths.TRUSTED_USER_CA_KEYS).isEmpty()) {
            files.writeSystemFile(AgentPaths.TRUSTED_USER_CA_KEYS, new byte[0], SPEC);
            done.add("installed an empty " + AgentPaths.TRUSTED_USER_CA_KEYS);
        }
        return done;
    }

    /** The KRL installed now, if it is there and valid. */
    public Optional<Krl> installedKrl() throws IOException {
        Optional<byte[]> b = files.readSystemFile(AgentPaths.REVOKED_KEYS);
        return b.isEmpty() ? Optional.empty() : installedKrl(b.get());
    }

    private static Optional<Krl> installedKrl(byte[] bytes) {
        try {
            return Optional.of(Krl.parseForInstall(bytes));
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
    }

    /**
     * Checks a downloaded KRL and installs it. Refused (nothing changes): bytes that are not a KRL OpenSSH
     * would load, a digest that differs from the state document's, a version below {@code minVersion} or below
     * the installed one. Returns whether the file changed.
     */
    public boolean installKrl(byte[] bytes, long minVersion, String sha256) throws IOException, InvalidStateException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidStateException("the server sent an empty KRL; keeping the installed one");
        }
        if (sha256 != null && !sha256.equals(Sha256.hex(bytes))) {
            throw new InvalidStateException("the KRL's SHA-256 does not match the state document; keeping the"
                    + " installed one");
        }
        Krl krl;
        try {
            krl = Krl.parseForInstall(bytes);
        } catch (InvalidInputException e) {
            throw new InvalidStateException("the server's KRL is not valid (" + e.getMessage()
                    + "); keeping the installed one");
        }
        // krl_version is a uint64 (PROTOCOL.krl): 2^63 and above are versions too, newer than 2^63-1
        if (Long.compareUnsigned(krl.version(), minVersion) < 0) {
            throw new InvalidStateException("the server's KRL has version " + Long.toUnsignedString(krl.version())
                    + ", older than the state document's " + Long.toUnsignedString(minVersion)
                    + "; keeping the installed one");
        }
        Optional<Krl> installed = installedKrl();
        if (installed.isPresent() && Long.compareUnsigned(krl.version(), installed.get().version()) < 0) {
            throw new InvalidStateException("the server's KRL has version " + Long.toUnsignedString(krl.version())
                    + ", older than the installed " + Long.toUnsignedString(installed.get().version())
                    + " (a replayed KRL would un-revoke keys); keeping the installed one");
        }
        return files.writeSystemFile(AgentPaths.REVOKED_KEYS, bytes, SPEC);
    }

    /**
     * Writes the trusted user CA keys, one public-key line each. Returns whether the file changed.
     *
     * <p>An empty list over a file that names CA keys would make sshd refuse every certificate on this host: a
     * server that lost its CA keys (a restore, a botched rotation) would lock out everyone who logs in with one.
     * It is refused, and the installed file kept, unless {@code allowEmpty} (agent.conf
     * {@code allow_empty_trusted_user_ca}) says this host is meant to trust no user CA. An empty list where none
     * is installed turns nothing off and is written as usual.
     */
    public boolean installUserCaKeys(List<SshPublicKey> keys, boolean allowEmpty)
            throws IOException, InvalidStateException {
        if (keys.isEmpty() && !allowEmpty) {
            long installed = installedUserCaKeys();
            if (installed > 0) {
                throw new InvalidStateException("the server sent an empty list of trusted user CA keys; installing"
                        + " it would turn off certificate logins on this host, so the " + installed + " installed in "
                        + AgentPaths.TRUSTED_USER_CA_KEYS + " stay (set allow_empty_trusted_user_ca = true in"
                        + " agent.conf if this host is to trust no user CA)");
            }
        }
        StringBuilder sb = new StringBuilder();
        for (SshPublicKey k : keys) {
            sb.append(k.toOpenSsh()).append('\n');
        }
        return files.writeSystemFile(AgentPaths.TRUSTED_USER_CA_KEYS, sb.toString().getBytes(StandardCharsets.UTF_8),
                SPEC);
    }

    /** How many key lines the installed TrustedUserCAKeys file has (sshd skips blank and {@code #} lines). */
    private long installedUserCaKeys() throws IOException {
        Optional<byte[]> b = files.readSystemFile(AgentPaths.TRUSTED_USER_CA_KEYS);
        if (b.isEmpty()) {
            return 0;
        }
        return new String(b.get(), StandardCharsets.UTF_8).lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
    }

}
