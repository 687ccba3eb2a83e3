package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.AuditHeadHold;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http.shutdown_timeout}: a server told to stop while a certificate is being issued answers that request
 * before it closes (the certificate was committed: its client gets it instead of a reset connection, and does not
 * ask again for a second one), turns away new requests meanwhile, and does not wait past the timeout.
 */
class GracefulShutdownTest {
    @TempDir
    Path tmp;

    @Test
    void aCertificateInFlightAtShutdownIsAnsweredAndNewRequestsAreTurnedAway() throws Exception {
        TestDatabases.Db dbRef = TestDatabases.create();
        TestServer server = TestServer.start(tmp.resolve("home"), dbRef);
        Thread stopper = new Thread(server::close, "stopper");
        try {
            String token = server.token("engineer", "alice");
            int port = server.port();
            // the batch waits at the audit chain's head (taken after the token, whose creation is audited)
            try (AuditHeadHold hold = AuditHeadHold.take(dbRef); Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(30_000);
                AuditHeadHold.postUserCertificate(s, token, SshKeyLines.ed25519("in-flight"));
                hold.awaitBatch();
                // a second request behind it on the same connection (pipelined): read after the first is answered,
                // that is, once the stop has begun
                AuditHeadHold.postUserCertificate(s, token, SshKeyLines.ed25519("behind"));

                long begin = System.nanoTime();
                stopper.start();
                Thread.sleep(500);
                assertTrue(stopper.isAlive(), "the server waits for the certificate in flight");
                assertTurnedAway(port, token);

                hold.release(); // the batch commits now
                String answer = readResponse(s.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 201 "), answer);
                JsonNode cert = Api.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
                assertTrue(cert.path("certificate").asText().startsWith("ssh-ed25519-cert-v01@openssh.com "),
                        answer);
                assertTrue(answer.substring(0, answer.indexOf("\r\n\r\n")).contains("\r\nConnection: close"),
                        "the answer says the connection ends: " + answer);
                assertEquals("", readResponse(s.getInputStream()), "the request behind it is not taken");
                stopper.join(TimeUnit.SECONDS.toMillis(15));
                assertFalse(stopper.isAlive(), "the server stopped once the request was answered");
                assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(10),
                        "it did not wait for the whole timeout");
                assertEquals(1, hold.count("SELECT count(*) FROM certificates WHERE requester = 'alice'"),
                        "the certificate in flight is on record, none for the request behind");
            }
        } finally {
            if (!stopper.isAlive()) {
                server.close();
            } else {
                stopper.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
    }

    @Test
    void aRequestThatNeverFinishesHoldsTheStopNoLongerThanTheTimeout() throws Exception {
        TestDatabases.Db dbRef = TestDatabases.create();
        TestServer server = TestServer.startWithHttp(tmp.resolve("home"), dbRef, "shutdown_timeout: 2s\n");
        Thread stopper = new Thread(server::close, "stopper");
        try {
            String token = server.token("engineer", "alice");
            try (AuditHeadHold hold = AuditHeadHold.take(dbRef); Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(30_000);
                AuditHeadHold.postUserCertificate(s, token, SshKeyLines.ed25519("stuck"));
                hold.awaitBatch();
                long begin = System.nanoTime();
                stopper.start();
                // the chain head stays locked: the request cannot finish, the stop goes ahead after 2 s
                String answer = readResponse(s.getInputStream());
                long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
                assertTrue(waitedMs >= 1_500, "waited for the request, " + waitedMs + " ms: " + answer);
                assertTrue(waitedMs < 10_000, "no longer than the timeout, " + waitedMs + " ms");
                assertFalse(answer.startsWith("HTTP/1.1 201"), "no certificate was committed: " + answer);
            }
            stopper.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(stopper.isAlive(), "the server stopped");
        } finally {
            if (!stopper.isAlive()) {
                server.close();
            }
        }
    }

    @Test
    void theTimeoutIsBounded() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> TestServer.startWithHttp(
                tmp.resolve("bad"), TestDatabases.create(), "shutdown_timeout: 2h\n").close());
        assertTrue(String.valueOf(e.getMessage()).contains("http.shutdown_timeout must be off or at most 1m"),
                e.toString());
        var notADuration = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> TestServer.startWithHttp(tmp.resolve("bad2"), TestDatabases.create(), "shutdown_timeout: soon\n")
                        .close());
        assertTrue(String.valueOf(notADuration.getMessage()).contains("http.shutdown_timeout"),
                notADuration.toString());
    }

    /** A new request while the server stops: its connection refused, or a 503 on a connection still accepted. */
    private static void assertTurnedAway(int port, String token) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            AuditHeadHold.postUserCertificate(s, token, SshKeyLines.ed25519("late"));
            String answer = readResponse(s.getInputStream());
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 503 ")
                    && answer.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/problem+json"),
                    answer);
        } catch (ConnectException refused) {
            // the connector no longer accepts: turned away as well
        }
    }

    /** Reads one response (headers and a Content-Length body), or what arrives before the connection ends. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int headerEnd = -1;
        int length = -1;
        byte[] buf = new byte[4096];
        while (true) {
            String text = got.toString(StandardCharsets.ISO_8859_1);
            if (headerEnd < 0 && (headerEnd = text.indexOf("\r\n\r\n")) >= 0) {
                var m = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: *(\\d+)").matcher(text);
                length = m.find() ? Integer.parseInt(m.group(1)) : 0;
            }
            if (headerEnd >= 0 && got.size() >= headerEnd + 4 + length) {
                return text.substring(0, headerEnd + 4 + length);
            }
            int n;
            try {
                n = in.read(buf);
            } catch (java.net.SocketException reset) {
                n = -1;
            }
            if (n < 0) {
                return got.toString(StandardCharsets.ISO_8859_1);
            }
            got.write(buf, 0, n);
        }
    }
}
