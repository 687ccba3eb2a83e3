package dev.keyward.web.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code manifest.json} of a backup: what it holds and how to check it.
 *
 * @param format        {@link #FORMAT}
 * @param keywardVersion the server version that wrote it
 * @param createdAt     when the snapshot was taken (RFC 3339)
 * @param schemaVersion the Flyway schema version of the dumped database: a restore migrates to it before loading
 * @param tables        every table, in an order that satisfies foreign keys (parents first)
 * @param sequences     every sequence's position
 * @param caKeys        the CA keys' public halves and references (the private keys stay in their HSM)
 * @param auditHead     the audit chain's head at the snapshot
 * @param krlVersion    the KRL version at the snapshot
 */
public record Manifest(String format, @JsonProperty("keyward_version") String keywardVersion,
        @JsonProperty("created_at") String createdAt, @JsonProperty("schema_version") String schemaVersion,
        List<Table> tables, List<Sequence> sequences, @JsonProperty("ca_keys") List<CaKey> caKeys,
        @JsonProperty("audit_head") AuditHead auditHead, @JsonProperty("krl_version") String krlVersion) {
    public static final String FORMAT = "keyward-backup/1";
    static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One table's dump: {@code file} (relative to the backup), its columns, rows and SHA-256. */
    public record Table(String name, String file, List<String> columns, long rows, String sha256) {
    }

    /** A sequence's state ({@code SELECT last_value, is_called}). */
    public record Sequence(String name, @JsonProperty("last_value") long lastValue,
            @JsonProperty("is_called") boolean isCalled) {
    }

    /** A CA key as the database records it; {@code file} holds its OpenSSH public key. */
    public record CaKey(long id, String purpose, String state, String fingerprint, @JsonProperty("key_uri") String keyUri,
            String file) {
    }

    /** The audit chain's head. */
    public record AuditHead(long seq, String hash) {
    }

    byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    static Manifest read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Manifest.class);
    }
}
