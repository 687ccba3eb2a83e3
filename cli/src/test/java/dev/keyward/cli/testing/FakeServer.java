package dev.keyward.cli.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stand-in for the Keyward server on 127.0.0.1 (the JDK's HttpServer) whose answers a test chooses, for cases a
 * real server never produces: a certificate for another key, from another CA. Records each issuing request, and
 * every Authorization header that reached it on any route (what a lying server would have learnt).
 */
public final class FakeServer implements AutoCloseable {
    /** One canned answer. */
    public record Answer(int status, String contentType, String body) {
    }

    private final HttpServer server;
    public final List<String> requests = new CopyOnWriteArrayList<>();
    /** {@code <path> <Authorization header>} for each request that carried one, on any route. */
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** The body of {@code GET /api/v1/ca/host} ({@code @cert-authority} lines); 404 while null. */
    public volatile String caHostBody;

    public FakeServer(String caUserBody, Function<String, Answer> issue) throws IOException {
        this(0, caUserBody, issue);
    }

    /** On a given port: the same server URL with other answers (a CA rotation). */
    public static FakeServer onPort(int port, String caUserBody, Function<String, Answer> issue) throws IOException {
        return new FakeServer(port, caUserBody, issue);
    }

    private FakeServer(int port, String caUserBody, Function<String, Answer> issue) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String authorization = ex.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                authorizations.add(path + " " + authorization);
            }
            switch (path) {
                case "/api/v1/ca/user" -> reply(ex, new Answer(200, "text/plain", caUserBody));
                case "/api/v1/ca/host" -> {
                    String hostBody = caHostBody;
                    reply(ex, hostBody == null ? new Answer(404, "text/plain", "not found")
                            : new Answer(200, "text/plain", hostBody));
                }
                case "/api/v1/certs/user" -> {
                    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    requests.add(authorization + " " + body);
                    reply(ex, issue.apply(body));
                }
                default -> reply(ex, new Answer(404, "text/plain", "not found"));
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Sends {@code a} as the answer to {@code ex}. */
    public static void reply(HttpExchange ex, Answer a) throws IOException {
        byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", a.contentType());
        ex.sendResponseHeaders(a.status(), b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
