package dev.keyward.web.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients over raw sockets against the real server: requests trickled byte by byte must not hold a connection
 * or a worker thread for longer than http.limits allows, and one address cannot open more connections than
 * connections_per_source. Every loop is bounded in bytes and each wait in time.
 */
class SlowRequestsTest {
    private static final String LIMITS = """
            limits:
              header_timeout: 3s
              body_timeout: 4s
              min_data_rate: 100
              connections_per_source: 4
            """;

    @TempDir
    Path dir;

    private TestServer start() {
        return TestServer.startWithHttp(dir.resolve("home"), TestDatabases.create(), LIMITS);
    }

    @Test
    void headersTrickledOneByteEveryTwoSecondsAreCutWithinTheHeaderTimeout() throws Exception {
        try (TestServer s = start(); Socket sock = new Socket("127.0.0.1", s.port())) {
            byte[] head = "POST /api/v1/hosts/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(US_ASCII);
            long t0 = System.nanoTime();
            Outcome o = trickle(sock, head, 1, 2000, 8); // 8 bytes at most: 16 s without the limit
            double secs = (System.nanoTime() - t0) / 1e9;
            assertTrue(o.closed(), "the connection was still open after " + secs + " s of trickled headers");
            assertTrue(secs >= 2.5 && secs < 3 + 1.5, "cut after " + secs + " s; header_timeout is 3s");
        }
    }

    @Test
    void bodyTrickledBelowTheMinimumDataRateIsCutWith408() throws Exception {
        try (TestServer s = start(); Socket sock = new Socket("127.0.0.1", s.port())) {
            sock.getOutputStream().write(enrollHead(200).getBytes(US_ASCII));
            long t0 = System.nanoTime();
            Outcome o = trickle(sock, "{\"join_token\":\"".getBytes(US_ASCII), 1, 2000, 8);
            double secs = (System.nanoTime() - t0) / 1e9;
            assertTrue(o.closed(), "still open after " + secs + " s of a body at 0.5 bytes/s");
            assertTrue(o.response().startsWith("HTTP/1.1 408 "), o.response());
            assertTrue(o.response().contains("application/problem+json"), o.response());
            assertTrue(o.response().contains("did not arrive in time"), o.response());
            assertTrue(secs < 4 + 1.5, "cut after " + secs + " s");
        }
    }

    @Test
    void bodyFastEnoughForTheRateButLongerThanTheBodyTimeoutIsCutWith408() throws Exception {
        try (TestServer s = start(); Socket sock = new Socket("127.0.0.1", s.port())) {
            sock.getOutputStream().write(enrollHead(60000).getBytes(US_ASCII));
            long t0 = System.nanoTime();
            // 50 bytes every 250 ms: 200 bytes/s, twice min_data_rate; 40 chunks at most (10 s)
            Outcome o = trickle(sock, " ".repeat(2000).getBytes(US_ASCII), 50, 250, 40);
            double secs = (System.nanoTime() - t0) / 1e9;
            assertTrue(o.closed(), "still open after " + secs + " s");
            assertTrue(o.response().startsWith("HTTP/1.1 408 "), o.response());
            assertTrue(secs >= 3.5 && secs < 4 + 1.5, "cut after " + secs + " s; body_timeout is 4s");
        }
    }

    @Test
    void oneConnectionOverTheCapPerAddressIsClosedWhileTheOthersStayUsable() throws Exception {
        try (TestServer s = start()) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket c = new Socket("127.0.0.1", s.port());
                    held.add(c);
                    assertTrue(get(c, "/healthz").startsWith("HTTP/1.1 200 "), "connection " + (i + 1));
                }
                try (Socket fifth = new Socket("127.0.0.1", s.port())) {
                    assertTrue(closedWithin(fifth, 3000), "a fifth connection from 127.0.0.1 was left open");
                }
                for (Socket c : held) { // the four are still open and answer
                    assertTrue(get(c, "/healthz").startsWith("HTTP/1.1 200 "));
                }
                held.remove(0).close();
                boolean accepted = false;
                for (int i = 0; i < 20 && !accepted; i++) { // the server sees the close a moment later
                    try (Socket again = new Socket("127.0.0.1", s.port())) {
                        again.setSoTimeout(3000);
                        accepted = get(again, "/healthz").startsWith("HTTP/1.1 200 ");
                    } catch (IOException e) {
                        Thread.sleep(100);
                    }
                }
                assertTrue(accepted, "after one of the four closed, a new connection was still refused");
            } finally {
                for (Socket c : held) {
                    c.close();
                }
            }
        }
    }

    @Test
    void whileHeadersTrickleNoWorkerThreadIsHeldButAWaitedForBodyHoldsOne() throws Exception {
        try (TestServer s = start()) {
            List<Socket> socks = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) { // headers not complete yet
                    Socket c = new Socket("127.0.0.1", s.port());
                    socks.add(c);
                    c.getOutputStream().write("POST /api/v1/hosts/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            .getBytes(US_ASCII));
                }
                for (int i = 0; i < 2; i++) { // headers complete, body pending
                    Socket c = new Socket("127.0.0.1", s.port());
                    socks.add(c);
                    c.getOutputStream().write((enrollHead(200) + "{").getBytes(US_ASCII));
                }
                int readingBodies = 0;
                for (int i = 0; i < 20 && readingBodies < 2; i++) { // at most 2 s, well within the 3 s header_timeout
                    Thread.sleep(100);
                    readingBodies = threadsIn("dev.keyward.web.http.Json", "body");
                }
                assertEquals(2, readingBodies, "each request whose body is awaited holds a worker thread");
                assertEquals(0, threadsIn("org.eclipse.jetty.http.HttpParser", null),
                        "no thread waits on a connection whose headers are incomplete");
            } finally {
                for (Socket c : socks) {
                    c.close();
                }
            }
        }
    }

    /** Threads whose stack has a frame of {@code className} (and {@code method}, if given). */
    private static int threadsIn(String className, String method) {
        int n = 0;
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            for (StackTraceElement e : stack) {
                if (e.getClassName().equals(className) && (method == null || e.getMethodName().equals(method))) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /** The request line and headers of an enrollment whose body has {@code contentLength} bytes. */
    private static String enrollHead(int contentLength) {
        return "POST /api/v1/hosts/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    /** What the server did while a client trickled bytes: closed (with what it answered, if anything) or not. */
    record Outcome(boolean closed, String response) {
    }

    /**
     * Writes {@code bytes}, {@code chunk} at a time, waiting {@code intervalMillis} between chunks for the server to
     * answer or close; at most {@code maxChunks} chunks.
     */
    private static Outcome trickle(Socket sock, byte[] bytes, int chunk, int intervalMillis, int maxChunks)
            throws IOException {
        InputStream in = sock.getInputStream();
        sock.setSoTimeout(intervalMillis);
        for (int i = 0; i < maxChunks && i * chunk < bytes.length; i++) {
            try {
                sock.getOutputStream().write(bytes, i * chunk, Math.min(chunk, bytes.length - i * chunk));
                sock.getOutputStream().flush();
            } catch (IOException e) {
                return new Outcome(true, ""); // reset by the server
            }
            try {
                int b = in.read();
                if (b == -1) {
                    return new Outcome(true, "");
                }
                return new Outcome(true, (char) b + readToEnd(in, sock));
            } catch (SocketTimeoutException e) {
                // still open: next chunk
            } catch (IOException e) {
                return new Outcome(true, "");
            }
        }
        return new Outcome(false, "");
    }

    /** The rest of a response the server closes after; bounded by 5 s of silence. */
    private static String readToEnd(InputStream in, Socket sock) throws IOException {
        sock.setSoTimeout(5000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        try {
            while ((n = in.read(buf)) > 0 && out.size() < 65536) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server answered but left the connection open: " + out.toString(US_ASCII));
        } catch (IOException e) {
            // reset after the answer: what was read is the answer
        }
        return out.toString(US_ASCII);
    }

    private static boolean closedWithin(Socket sock, int millis) throws IOException {
        sock.setSoTimeout(millis);
        try {
            return sock.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** One keep-alive GET on {@code sock}; the status line and headers (the body of /healthz is small). */
    private static String get(Socket sock, String path) throws IOException {
        sock.setSoTimeout(5000);
        sock.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(US_ASCII));
        InputStream in = sock.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int contentLength = -1;
        while (out.size() < 65536) {
            int b = in.read();
            if (b == -1) {
                break;
            }
            out.write(b);
            String s = out.toString(US_ASCII);
            if (contentLength < 0 && s.endsWith("\r\n\r\n")) {
                int i = s.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
                contentLength = i < 0 ? 0 : Integer.parseInt(s.substring(i + 15, s.indexOf("\r\n", i)).strip());
                in.readNBytes(contentLength);
                return s;
            }
        }
        return out.toString(US_ASCII);
    }
}
