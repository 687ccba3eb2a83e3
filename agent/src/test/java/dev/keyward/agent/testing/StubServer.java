package dev.keyward.agent.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keyward.ca.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A stand-in for the Keyward server's agent routes, speaking PROTOCOL-agent.md: ETag/304 on state and KRL,
 * bearer authentication, usage acknowledgement by id, inventory acknowledgement by hash, status reports taken.
 * Tests set what it serves and read what it received. The real server's end-to-end tests replace it later.
 */
public final class StubServer implements AutoCloseable {
    public static final String CREDENTIAL = "kwh_test_credential";
    private static final byte[] NO_ROUTE = "{\"error\":\"no such route\"}".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    public volatile byte[] state = "{}".getBytes(StandardCharsets.UTF_8);
    public volatile byte[] krl = new byte[0];
    public volatile Function<Map<String, Object>, byte[]> hostCerts = req -> "{\"host_certs\":[]}".getBytes(StandardCharsets.UTF_8);
    public volatile Function<Map<String, Object>, byte[]> enroll = req -> "{}".getBytes(StandardCharsets.UTF_8);
    /** Credential renewal (challenge, then the signed challenge); null answers 404 like a server without it. */
    public volatile Function<Map<String, Object>, byte[]> credentialChallenge;
    public volatile Function<Map<String, Object>, Reply> renewCredential;
    /** The bearer credentials accepted; a renewal adds one. */
    public final java.util.Set<String> credentials = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** "PATH CREDENTIAL" of every authenticated request, in order. */
    public final List<String> authenticated = Collections.synchronizedList(new ArrayList<>());
    public final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    public final List<Map<String, Object>> usageEvents = Collections.synchronizedList(new ArrayList<>());
    public final List<Map<String, Object>> inventories = Collections.synchronizedList(new ArrayList<>());
    public final List<Map<String, Object>> statusReports = Collections.synchronizedList(new ArrayList<>());
    public final Map<String, String> lastHeaders = Collections.synchronizedMap(new LinkedHashMap<>());

    /** A status and body to answer with. */
    public record Reply(int status, byte[] body) {
    }

    public StubServer() throws IOException {
        credentials.add(CREDENTIAL);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static String etag(byte[] b) {
        return "\"" + Integer.toHexString(java.util.Arrays.hashCode(b)) + "\"";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String inm = ex.getRequestHeaders().getFirst("If-None-Match");
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + (inm == null ? "" : " If-None-Match"));
            byte[] body = ex.getRequestBody().readAllBytes();
            if (path.equals("/api/v1/hosts/enroll")) {
                reply(ex, 200, enroll.apply(Json.parseObject(body)), null);
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("Bearer ") || !credentials.contains(auth.substring(7))) {
                reply(ex, 401, "{\"error\":\"bad credential\"}".getBytes(StandardCharsets.UTF_8), null);
                return;
            }
            authenticated.add(path + " " + auth.substring(7));
            switch (path) {
                case "/api/v1/agent/state" -> conditional(ex, state, inm);
                case "/api/v1/krl" -> conditional(ex, krl, inm);
                case "/api/v1/agent/host-certs" -> reply(ex, 200, hostCerts.apply(Json.parseObject(body)), null);
                case "/api/v1/agent/credential/challenge" -> {
                    var f = credentialChallenge;
                    reply(ex, f == null ? 404 : 200, f == null ? NO_ROUTE : f.apply(Json.parseObject(body)), null);
                }
                case "/api/v1/agent/credential" -> {
                    var f = renewCredential;
                    Reply r = f == null ? new Reply(404, NO_ROUTE) : f.apply(Json.parseObject(body));
                    reply(ex, r.status(), r.body(), null);
                }
                case "/api/v1/agent/usage" -> {
                    List<?> events = (List<?>) Json.parseObject(body).get("events");
                    List<String> ids = new ArrayList<>();
                    for (Object e : events) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> event = (Map<String, Object>) e;
                        usageEvents.add(event);
                        ids.add((String) event.get("id"));
                    }
                    reply(ex, 200, Json.write(Map.of("acknowledged", ids)), null);
                }
                case "/api/v1/agent/inventory" -> {
                    Map<String, Object> inv = Json.parseObject(body);
                    inventories.add(inv);
                    reply(ex, 200, Json.write(Map.of("hash", inv.get("hash"))), null);
                }
                case "/api/v1/agent/status" -> {
                    statusReports.add(Json.parseObject(body));
                    reply(ex, 200, "{\"received_at\":\"2026-12-04T10:00:00Z\"}".getBytes(StandardCharsets.UTF_8), null);
                }
                default -> reply(ex, 404, NO_ROUTE, null);
            }
        }
    }

    private static void conditional(HttpExchange ex, byte[] content, String inm) throws IOException {
        String tag = etag(content);
        if (tag.equals(inm)) {
            ex.getResponseHeaders().add("ETag", tag);
            ex.sendResponseHeaders(304, -1);
            return;
        }
        reply(ex, 200, content, tag);
    }

    private static void reply(HttpExchange ex, int status, byte[] body, String etag) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (etag != null) {
            ex.getResponseHeaders().add("ETag", etag);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
