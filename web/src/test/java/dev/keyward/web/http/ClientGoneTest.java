package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.AuditHeadHold;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that hangs up before its certificate is written: the certificate is issued and on record (the commit
 * came first), and the server says so in one line, not as an internal error with a stack trace.
 */
class ClientGoneTest {
    @TempDir
    Path tmp;

    @Test
    void aCertificateWhoseClientHungUpIsRecordedAndLoggedAsUndelivered() throws Exception {
        TestDatabases.Db dbRef = TestDatabases.create();
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (TestServer server = TestServer.start(tmp.resolve("home"), dbRef)) {
            String token = server.token("engineer", "alice");
            // hold the audit chain's head (after the token, whose creation is audited), so the certificate's
            // batch waits before its commit
            try (AuditHeadHold hold = AuditHeadHold.take(dbRef)) {
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    AuditHeadHold.postUserCertificate(s, token, SshKeyLines.ed25519("gone"));
                    hold.awaitBatch();
                    s.setSoLinger(true, 0); // close with a reset: the server's write fails
                }
                Thread.sleep(200);
                hold.release(); // the batch commits, then finds no one to answer
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!err.toString(StandardCharsets.UTF_8).contains("not delivered")
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                System.setErr(old);
                String log = err.toString(StandardCharsets.UTF_8);
                assertTrue(log.contains("POST /api/v1/certs/user: answer 201 not delivered, the client closed the"
                        + " connection"), log);
                assertFalse(log.contains("internal error"), log);
                assertFalse(log.contains("\tat "), "no stack trace: " + log);
                // issued and on record, as every certificate that leaves the signer is
                Api.Resp list = server.api().get("/api/v1/certs?requester=alice", server.adminToken());
                assertEquals(200, list.status(), list.toString());
                assertEquals(1, list.json().get("items").size(), list.toString());
            }
        } finally {
            System.setErr(old);
        }
    }
}
