package dev.keyward.web.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request refused before its body was read (no such route, a bad credential, a body over the limit) still gets its
 * answer while the client is still sending the body: a connection closed with unread data reaches the client as a
 * reset that discards the answer (the agent would print "broken pipe" instead of "re-enroll"). Over raw sockets, with
 * bodies larger than the loopback buffers hold, so that the server must read while the client writes.
 */
class RefusalsReachSendingClientsTest {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Sends {@code head} and a body of {@code size} bytes in one go, then reads the status line. */
    static String post(String path, String auth, int size) throws IOException {
        try (Socket sock = new Socket("127.0.0.1", server.port())) {
            sock.setSoTimeout(20_000);
            OutputStream out = sock.getOutputStream();
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + (auth == null ? "" : "Authorization: Bearer " + auth + "\r\n")
                    + "Content-Length: " + size + "\r\n\r\n";
            out.write(head.getBytes(US_ASCII));
            byte[] chunk = new byte[16 * 1024];
            Arrays.fill(chunk, (byte) 'A');
            for (int sent = 0; sent < size; sent += chunk.length) { // bounded: size / 16 KiB writes
                out.write(chunk, 0, Math.min(chunk.length, size - sent));
            }
            out.flush();
            InputStream in = sock.getInputStream();
            byte[] status = in.readNBytes(12);
            return new String(status, US_ASCII);
        }
    }

    @Test
    void aBodyPostedToNoRouteGetsThe404() throws IOException {
        String status = post("/api/v1/agent/cr:edential", null, 600 * 1024);
        assertTrue(status.startsWith("HTTP/1.1 404"), status);
    }

    @Test
    void aBodyPostedWithABadCredentialGetsThe401() throws IOException {
        String status = post("/api/v1/agent/usage", "kwt_not-a-token", 600 * 1024);
        assertTrue(status.startsWith("HTTP/1.1 401"), status);
    }

    @Test
    void aBodyOverTheLimitPostedToARouteStillGetsThe413() throws IOException {
        String status = post("/api/v1/hosts/enroll", null, 600 * 1024);
        assertTrue(status.startsWith("HTTP/1.1 413"), status);
    }
}
