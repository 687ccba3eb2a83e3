package dev.keyward.web.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * Holds the audit chain's head row ({@code SELECT ... FOR UPDATE}) from a connection of its own, so that an issuance
 * batch stops just before it writes and commits: a certificate request kept in the server for as long as a test
 * needs. {@link #release()} (or closing) lets the batch go on.
 */
public final class AuditHeadHold implements AutoCloseable {
    private final Connection c;

    private AuditHeadHold(Connection c) {
        this.c = c;
    }

    /** Takes the head row of {@code db}'s audit chain. */
    public static AuditHeadHold take(TestDatabases.Db db) throws SQLException {
        Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        try {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE").close();
            }
            return new AuditHeadHold(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Waits (up to 10 s) until some other PostgreSQL backend waits for a lock: the batch, at the chain head. */
    public void awaitBatch() throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (Statement st = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type ="
                        + " 'Lock' AND pid <> pg_backend_pid()")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(10);
            }
        }
        throw new AssertionError("the certificate's batch never waited for the audit chain's head");
    }

    /** Lets the batch go on (the holding transaction ends); the connection stays open for {@link #count}. */
    public void release() throws SQLException {
        c.rollback();
    }

    /** The one number {@code sql} answers, read on this connection. */
    public long count(String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            c.rollback();
        } finally {
            c.close();
        }
    }

    /** Writes a whole {@code POST /api/v1/certs/user} for {@code publicKey} on {@code s}, as a client's raw bytes. */
    public static void postUserCertificate(Socket s, String token, String publicKey) throws IOException {
        byte[] body;
        try {
            body = Api.JSON.writeValueAsBytes(Map.of("public_key", publicKey));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        OutputStream out = s.getOutputStream();
        out.write(("POST /api/v1/certs/user HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }
}
