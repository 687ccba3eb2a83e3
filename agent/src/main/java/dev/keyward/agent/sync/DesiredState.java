package dev.keyward.agent.sync;

import dev.keyward.ca.key.SshPublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A desired-state document that passed validation: every key parsed, every name safe to use as a file name.
 *
 * @param mode         the host's mode
 * @param accounts     per account name, in the server's order
 * @param userCaKeys   trusted user CA keys (may be empty)
 * @param trustVersion version of the trust bundle
 * @param krlVersion   version of the KRL the server publishes (unsigned 64-bit: compare with Long.compareUnsigned)
 * @param krlUrl       path of the KRL on the server (same origin)
 * @param krlSha256    hex SHA-256 of the KRL, or null
 * @param renewHostCertsNow the server asks for host certificate renewal now
 * @param hostCertsUrl path of the renewal endpoint
 */
public record DesiredState(Mode mode, Map<String, AccountKeys> accounts, List<SshPublicKey> userCaKeys,
        long trustVersion, long krlVersion, String krlUrl, String krlSha256, boolean renewHostCertsNow,
        String hostCertsUrl) {

    /**
     * @param keys  desired keys, unique by fingerprint, purge-listed ones already dropped
     * @param purge fingerprint to confirmed flag
     */
    public record AccountKeys(List<Key> keys, Map<String, Boolean> purge) {
        public AccountKeys {
            keys = List.copyOf(keys);
            purge = Map.copyOf(purge);
        }
    }

    /**
     * @param id        the server's id
     * @param line      the authorized_keys line to write (options, key, comment), no newline
     * @param blob      the key blob
     * @param expiresAt null for never
     */
    public record Key(String id, String line, byte[] blob, Instant expiresAt) {
        public boolean expiredAt(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }

        /** Computed on demand: most cycles never need it. */
        public String fingerprint() {
            return dev.keyward.agent.keys.KeyLine.fingerprint(blob);
        }
    }
}
