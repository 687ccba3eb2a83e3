package dev.keyward.web.db;

import dev.keyward.web.audit.AuditEntry;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The statements of one issuance batch (group commit), in plain JDBC with constant SQL text: the batch size goes
 * into array parameters ({@code unnest}), never into the SQL, so the driver prepares each statement once per
 * connection and PostgreSQL parses and plans it once. A batch is three statements and the commit, whatever its size:
 * <ol>
 * <li>{@link #prelude}: serials from the sequence and which of the keys / key IDs are revoked (one round trip);</li>
 * <li>{@link #lockAuditHead}: {@code SELECT ... FOR UPDATE} of the chain head (taken last, held briefly);</li>
 * <li>{@link #write}: the certificates, their principals and audit entries, and the new chain head, in one
 * statement, which also checks that the CA keys that signed them are still active.</li>
 * </ol>
 * The check sits in the statement that runs with the chain head locked: every change of CA key states appends to
 * the audit log in its own transaction, so it either committed before this statement started (and the check sees
 * it) or waits for this batch's commit. A certificate by a key that was retired or revoked meanwhile never commits;
 * the batch is signed again with the key that is active now.
 */
public final class IssuanceStatements {
    static final String PRELUDE = "SELECT"
            + " ARRAY(SELECT nextval('cert_serial_seq') FROM generate_series(1, ?)),"
            + " ARRAY(SELECT DISTINCT key_fingerprint FROM revocations WHERE key_fingerprint = ANY(?::varchar[])),"
            + " ARRAY(SELECT DISTINCT key_id FROM revocations WHERE kind = 'key_id' AND key_id = ANY(?::varchar[]))";
    static final String LOCK_HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";
    static final String WRITE = "WITH c AS (INSERT INTO certificates (serial, cert_type, ca_key_id, key_id,"
            + " key_fingerprint, public_key, requester, token_id, valid_after, valid_before, issued_at, certificate)"
            + " SELECT * FROM unnest(?::bigint[], ?::varchar[], ?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[],"
            + " ?::varchar[], ?::bigint[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::text[])),"
            + " p AS (INSERT INTO certificate_principals (serial, principal)"
            + " SELECT * FROM unnest(?::bigint[], ?::varchar[])),"
            + " a AS (INSERT INTO audit_log (seq, occurred_at, actor, action, subject, details, prev_hash, hash)"
            + " SELECT * FROM unnest(?::bigint[], ?::timestamptz[], ?::varchar[], ?::varchar[], ?::varchar[],"
            + " ?::text[], ?::varchar[], ?::varchar[]))"
            + " UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM unnest(?::bigint[]) k(id)"
            + " WHERE NOT EXISTS (SELECT 1 FROM ca_keys WHERE ca_keys.id = k.id AND ca_keys.state = 'active'))";

    private IssuanceStatements() {
    }

    /** Serials for a batch, and which of its keys and key IDs are revoked. */
    public record Prelude(List<Long> serials, Set<String> revokedFingerprints, Set<String> revokedKeyIds) {
    }

    /** The audit chain head, locked until the transaction ends. */
    public record Head(long seq, String hash) {
    }

    public static Prelude prelude(Connection c, int serials, List<String> fingerprints, List<String> keyIds)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PRELUDE)) {
            ps.setInt(1, serials);
            ps.setArray(2, c.createArrayOf("varchar", fingerprints.toArray()));
            ps.setArray(3, c.createArrayOf("varchar", keyIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Object[] s = (Object[]) rs.getArray(1).getArray();
                List<Long> out = new ArrayList<>(s.length);
                for (Object o : s) {
                    out.add(((Number) o).longValue());
                }
                return new Prelude(out, strings(rs.getArray(2)), strings(rs.getArray(3)));
            }
        }
    }

    private static Set<String> strings(Array a) throws SQLException {
        return new HashSet<>(Arrays.asList((String[]) a.getArray()));
    }

    public static Head lockAuditHead(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOCK_HEAD); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("the audit_head row is missing");
            }
            return new Head(rs.getLong(1), rs.getString(2));
        }
    }

    /**
     * Inserts the certificates, their principals and the audit entries, and moves the chain head to the last entry;
     * returns false (having written rows the caller must roll back) if a CA key that signed one of the certificates
     * is no longer active.
     */
    public static boolean write(Connection c, List<IssuedCert> certs, List<AuditEntry> audit) throws SQLException {
        int n = certs.size();
        Long[] serial = new Long[n];
        String[] type = new String[n];
        Long[] caKeyId = new Long[n];
        String[] keyId = new String[n];
        String[] fingerprint = new String[n];
        String[] publicKey = new String[n];
        String[] requester = new String[n];
        Long[] tokenId = new Long[n];
        String[] validAfter = new String[n];
        String[] validBefore = new String[n];
        String[] issuedAt = new String[n];
        String[] certificate = new String[n];
        List<Long> pSerial = new ArrayList<>(n);
        List<String> pName = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            IssuedCert x = certs.get(i);
            serial[i] = x.serial();
            type[i] = x.type().label();
            caKeyId[i] = x.caKeyId();
            keyId[i] = x.keyId();
            fingerprint[i] = x.keyFingerprint();
            publicKey[i] = x.publicKey();
            requester[i] = x.requester();
            tokenId[i] = x.tokenId().orElse(null);
            validAfter[i] = ts(x.validAfter());
            validBefore[i] = ts(x.validBefore());
            issuedAt[i] = ts(x.issuedAt());
            certificate[i] = x.certificate();
            for (String p : x.principals()) {
                pSerial.add(x.serial());
                pName.add(p);
            }
        }
        int m = audit.size();
        Long[] seq = new Long[m];
        String[] at = new String[m];
        String[] actor = new String[m];
        String[] action = new String[m];
        String[] subject = new String[m];
        String[] details = new String[m];
        String[] prev = new String[m];
        String[] hash = new String[m];
        for (int i = 0; i < m; i++) {
            AuditEntry e = audit.get(i);
            seq[i] = e.seq();
            at[i] = ts(e.occurredAt());
            actor[i] = e.actor();
            action[i] = e.action();
            subject[i] = e.subject();
            details[i] = e.details();
            prev[i] = e.prevHash();
            hash[i] = e.hash();
        }
        AuditEntry last = audit.get(m - 1);
        try (PreparedStatement ps = c.prepareStatement(WRITE)) {
            int k = 1;
            ps.setArray(k++, c.createArrayOf("bigint", serial));
            ps.setArray(k++, c.createArrayOf("varchar", type));
            ps.setArray(k++, c.createArrayOf("bigint", caKeyId));
            ps.setArray(k++, c.createArrayOf("varchar", keyId));
            ps.setArray(k++, c.createArrayOf("varchar", fingerprint));
            ps.setArray(k++, c.createArrayOf("varchar", publicKey));
            ps.setArray(k++, c.createArrayOf("varchar", requester));
            ps.setArray(k++, c.createArrayOf("bigint", tokenId));
            ps.setArray(k++, c.createArrayOf("varchar", validAfter));
            ps.setArray(k++, c.createArrayOf("varchar", validBefore));
            ps.setArray(k++, c.createArrayOf("varchar", issuedAt));
            ps.setArray(k++, c.createArrayOf("text", certificate));
            ps.setArray(k++, c.createArrayOf("bigint", pSerial.toArray(new Long[0])));
            ps.setArray(k++, c.createArrayOf("varchar", pName.toArray(new String[0])));
            ps.setArray(k++, c.createArrayOf("bigint", seq));
            ps.setArray(k++, c.createArrayOf("varchar", at));
            ps.setArray(k++, c.createArrayOf("varchar", actor));
            ps.setArray(k++, c.createArrayOf("varchar", action));
            ps.setArray(k++, c.createArrayOf("varchar", subject));
            ps.setArray(k++, c.createArrayOf("text", details));
            ps.setArray(k++, c.createArrayOf("varchar", prev));
            ps.setArray(k++, c.createArrayOf("varchar", hash));
            ps.setLong(k++, last.seq());
            ps.setString(k++, last.hash());
            ps.setArray(k, c.createArrayOf("bigint", java.util.Arrays.stream(caKeyId).distinct().toArray(Long[]::new)));
            return ps.executeUpdate() == 1;
        }
    }

    /** ISO-8601 in UTC; PostgreSQL keeps microseconds. */
    private static String ts(Instant t) {
        return t.toString();
    }
}
