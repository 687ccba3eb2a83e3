package dev.keyward.ca.krl;

import dev.keyward.ca.key.SshPublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one KRL certificates section revokes (PROTOCOL.krl section 2): certificates signed by {@link #caKey()}
 * (or by any CA when it is empty, the "ca_key is an empty string" case) whose serial is in {@link #serials()}
 * or whose key ID is in {@link #keyIds()}. Key IDs are sorted as OpenSSH sorts them (strcmp on UTF-8 bytes).
 */
public final class CaRevocations {
    private final SshPublicKey caKey;
    private final SerialRanges serials;
    private final List<String> keyIds;

    CaRevocations(SshPublicKey caKey, SerialRanges serials, List<String> keyIds) {
        this.caKey = caKey;
        this.serials = Objects.requireNonNull(serials);
        this.keyIds = List.copyOf(keyIds);
    }

    /** The CA whose certificates this revokes; empty means "certificates of any CA". */
    public Optional<SshPublicKey> caKey() {
        return Optional.ofNullable(caKey);
    }

    public boolean isAnyCa() {
        return caKey == null;
    }

    public SerialRanges serials() {
        return serials;
    }

    public List<String> keyIds() {
        return keyIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CaRevocations other && Objects.equals(caKey, other.caKey)
                && serials.equals(other.serials) && keyIds.equals(other.keyIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(caKey, serials, keyIds);
    }

    @Override
    public String toString() {
        return (caKey == null ? "any CA" : "CA " + caKey) + ": serials " + serials + ", key IDs " + keyIds;
    }
}
