package dev.keyward.web.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.web.auth.Role;
import dev.keyward.web.http.Route;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Requests to the real server (in-process, on the test database, rate limits off): every route of its table,
 * with a fuzzed path (parameters, query) and body, sent with a credential the route admits. Client data never
 * yields a 5xx; every refusal is problem+json with its status and a detail; no request makes the server ask DNS.
 *
 * <p>An input is {@code METHOD PATH} on its first line and the body after it. {@code {serial}} and {@code {id}} in
 * the path stand for a certificate and a (not enrolled) host of the fixture. A path that matches no route is still sent (404 is
 * an answer too) with the admin token.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("jazzer") // its plain test too runs in the fuzz tests' JVM, after the fuzz test (see the parent pom)
class HttpRequestFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METHOD = Pattern.compile("GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS");
    private static final String URL_SAFE = "-._~/?&=:@!$'()*+,;";
    private static Path home;
    private static TestServer server;
    private static HttpClient http;
    private static final Map<Role, String> TOKENS = new EnumMap<>(Role.class);
    private static final List<String> OWN_TOKEN_IDS = new ArrayList<>();
    private static List<Route> routes;
    /** The admin console's routes ("METHOD path"), fuzzed in an admin's console session. */
    private static List<String> consoleRoutes;
    private static String consoleCookie;
    private static String consoleCsrf;
    private static String serial;
    private static String hostId;
    private static String spareHostId;

    /** Started once, on the first input; {@link #stop()} stops it. */
    private static synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        home = Files.createTempDirectory("keyward-fuzz-http");
        server = TestServer.startWithHttp(home.resolve("home"), TestDatabases.create(), """
                limits:
                  issue_per_caller: off
                  issue_per_source: off
                  enroll_per_source: off
                  auth_failures_per_source: off
                """);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Api api = server.api();
        TOKENS.put(Role.ADMIN, server.adminToken());
        for (Role r : List.of(Role.ENGINEER, Role.AUDITOR)) {
            Api.Resp t = api.post("/api/v1/tokens", server.adminToken(), Map.of("name", "fuzz-" + r, "role",
                    r.name().toLowerCase(java.util.Locale.ROOT), "username", "fuzz", "ttl", "30d"));
            assertEquals(201, t.status(), t.toString());
            TOKENS.put(r, t.json().get("token").asText());
        }
        for (JsonNode t : api.get("/api/v1/tokens?limit=100", server.adminToken()).json().path("items")) {
            OWN_TOKEN_IDS.add(t.path("id").asText()); // the bootstrap admin token and the two above
        }
        Api.Resp host = api.post("/api/v1/hosts", server.adminToken(), Map.of("hostname", "fuzz.example.com"));
        assertEquals(201, host.status(), host.toString());
        hostId = host.json().get("id").asText();
        Api.Resp enrolled = api.post("/api/v1/hosts/enroll", null, Map.of("join_token",
                host.json().get("join_token").asText(), "host_keys", List.of(SshKeyLines.ed25519("fuzz-host"))));
        assertEquals(200, enrolled.status(), enrolled.toString());
        TOKENS.put(Role.HOST, enrolled.json().get("credential").asText());
        // {id} in fuzzed paths: a second host, so that a new join token for it leaves the enrolled one alone
        Api.Resp spare = api.post("/api/v1/hosts", server.adminToken(), Map.of("hostname", "spare.example.com"));
        assertEquals(201, spare.status(), spare.toString());
        spareHostId = spare.json().get("id").asText();
        Api.Resp cert = api.post("/api/v1/certs/user", TOKENS.get(Role.ENGINEER),
                Map.of("public_key", SshKeyLines.ed25519("fuzz-user")));
        assertEquals(201, cert.status(), cert.toString());
        serial = cert.json().get("serial").asText();
        routes = server.server().routes();
        consoleRoutes = server.server().consoleRoutes();
        consoleSession();
    }

    /** Signs in at the console with the admin token: the session cookie and its CSRF token ({csrf} in bodies). */
    private static void consoleSession() throws IOException {
        try {
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/login")).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + TOKENS.get(Role.ADMIN))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(303, login.statusCode(), login.body());
            consoleCookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/certificates")).header("Cookie", consoleCookie).build(),
                    HttpResponse.BodyHandlers.ofString());
            java.util.regex.Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
            assertTrue(m.find(), page.body());
            consoleCsrf = m.group(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (server == null) {
            return;
        }
        server.close();
        server = null;
        try (var files = Files.walk(home)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @FuzzTest
    @Order(1)
    void request(byte[] data) throws IOException, InterruptedException {
        start();
        int nl = indexOf(data, (byte) '\n');
        String head = new String(data, 0, nl < 0 ? data.length : nl, StandardCharsets.UTF_8).strip();
        byte[] body = nl < 0 ? new byte[0] : java.util.Arrays.copyOfRange(data, nl + 1, data.length);
        int sp = head.indexOf(' ');
        String method = sp < 0 ? "POST" : head.substring(0, sp);
        if (!METHOD.matcher(method).matches()) {
            method = "POST";
        }
        String path = sp < 0 ? head : head.substring(sp + 1).strip();
        path = path.replace("{serial}", serial).replace("{id}", spareHostId);
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        Route route = route(method, path);
        if (route != null && (route.path().endsWith("/tokens/{id}") && OWN_TOKEN_IDS.contains(tail(path))
                || route.path().endsWith("/join-token") && path.contains("/" + hostId + "/"))) {
            return; // the fixture's own credentials stay
        }
        boolean console = route == null && consoleRoute(method, path) != null;
        if (console && pathOf(path).equals("/logout")) {
            return; // the fixture's console session stays
        }
        if (console) {
            body = new String(body, StandardCharsets.ISO_8859_1).replace("{csrf}", consoleCsrf)
                    .getBytes(StandardCharsets.ISO_8859_1);
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + encode(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", console ? "application/x-www-form-urlencoded" : "application/json")
                .method(method, method.equals("HEAD") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        String token = token(route);
        if (console) {
            req.header("Cookie", consoleCookie);
        } else if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        NameLookups.refuse();
        HttpResponse<byte[]> r;
        try {
            r = send(req.build());
        } finally {
            NameLookups.allow();
        }
        String shown = method + " " + path + " -> " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8);
        assertTrue(r.statusCode() < 500, () -> "client data yields a server error: " + shown);
        assertEquals(List.of(), NameLookups.takeAttempts(), () -> "the request made the server ask DNS: " + shown);
        if (console && r.statusCode() >= 400 && !method.equals("HEAD")) {
            // the console answers people: an HTML page saying what is wrong (its error page, or the sign-in form)
            String type = r.headers().firstValue("Content-Type").orElse("");
            String page = new String(r.body(), StandardCharsets.UTF_8);
            assertTrue(type.startsWith("text/html") && page.contains("<p class=\"alert\" role=\"alert\">"),
                    () -> "not the console's error page: " + type + " " + shown);
        } else if (r.statusCode() >= 400 && !method.equals("HEAD")) {
            String type = r.headers().firstValue("Content-Type").orElse("");
            assertTrue(type.startsWith("application/problem+json"), () -> "not problem+json: " + type + " " + shown);
            JsonNode p = JSON.readTree(r.body());
            assertEquals(r.statusCode(), p.path("status").asInt(), shown);
            assertTrue(!p.path("title").asText().isBlank() && !p.path("detail").asText().isBlank(), shown);
        }
    }

    /**
     * Sends on the client's pooled keep-alive connections, as any client does. A pooled connection the server closed
     * while it sat idle (its idle timeout) can be picked just as the close arrives, and the request then gets no
     * bytes at all (RFC 9112 section 9.3.1: the client may retry). That race is the client's, so the request is sent
     * once more on a new connection of its own; a server that answers a request with a bare close does so again and
     * fails the target.
     */
    private static HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("received no bytes")) {
                throw e;
            }
            long t1 = System.nanoTime();
            try (HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                return fresh.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException again) {
                // how long each attempt took tells a deadline (http.limits) from a close at once
                throw new IOException(request.method() + " " + request.uri() + ": no answer twice (" + e.getMessage()
                        + " after " + (t1 - t0) / 1_000_000 + " ms on a pooled connection; " + again.getMessage()
                        + " after " + (System.nanoTime() - t1) / 1_000_000 + " ms on a new one)", again);
            }
        }
    }

    /** Every route of the server's table has a seed, so a new route is fuzzed from the start. */
    @Test
    @Order(2)
    void everyRouteHasASeed() throws IOException, InterruptedException {
        request("GET /healthz\n".getBytes(StandardCharsets.UTF_8)); // starts the fixture if no seed ran
        Path seeds = Path.of("src/test/resources/dev/keyward/web/fuzz/HttpRequestFuzzTestInputs/request");
        List<String> heads = new ArrayList<>();
        try (var files = Files.list(seeds)) {
            for (Path f : files.toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                heads.add(text.substring(0, Math.max(0, text.indexOf('\n'))));
            }
        }
        for (Route r : routes) {
            assertTrue(heads.stream().anyMatch(h -> h.startsWith(r.method() + " ")
                    && r.equals(route(r.method(), h.substring(r.method().length() + 1).replace("{serial}", serial)
                            .replace("{id}", spareHostId)))), () -> "no seed for " + r.method() + " " + r.path());
        }
        for (String c : consoleRoutes) {
            String method = c.substring(0, c.indexOf(' '));
            assertTrue(heads.stream().anyMatch(h -> h.startsWith(method + " ") && c.equals(consoleRoute(method,
                    h.substring(method.length() + 1).replace("{serial}", serial).replace("{id}", spareHostId)))),
                    () -> "no seed for the console's " + c);
        }
    }

    /** The console route ("METHOD path") that serves {@code method path}, or null. */
    private static String consoleRoute(String method, String path) {
        String p = pathOf(path);
        for (String c : consoleRoutes) {
            int sp = c.indexOf(' ');
            if (c.substring(0, sp).equals(method) && p.matches(c.substring(sp + 1).replaceAll("\\{[a-z]+\\}",
                    "[^/]+"))) {
                return c;
            }
        }
        return null;
    }

    /** The route that serves {@code method path}, or null. */
    private static Route route(String method, String path) {
        String p = pathOf(path);
        for (Route r : routes) {
            if (r.method().equals(method) && p.matches(r.path().replaceAll("\\{[a-z]+\\}", "[^/]+"))) {
                return r;
            }
        }
        return null;
    }

    private static String pathOf(String s) {
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q);
    }

    private static String tail(String path) {
        String p = pathOf(path);
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** A credential the route admits: the most powerful one it takes (admin, engineer, host, auditor). */
    private static String token(Route route) {
        if (route == null) {
            return TOKENS.get(Role.ADMIN);
        }
        if (route.isPublic()) {
            return null;
        }
        Set<Role> roles = route.roles();
        for (Role r : List.of(Role.ADMIN, Role.ENGINEER, Role.HOST, Role.AUDITOR)) {
            if (roles.contains(r)) {
                return TOKENS.get(r);
            }
        }
        return TOKENS.get(Role.ADMIN);
    }

    /** The path as a valid URI path and query: characters outside RFC 3986's allowed set percent-encoded. */
    private static String encode(String path) {
        StringBuilder sb = new StringBuilder();
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            char c = (char) (b[i] & 0xff);
            boolean pct = c == '%' && i + 2 < b.length && hex(b[i + 1]) && hex(b[i + 2]);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || URL_SAFE.indexOf(c) >= 0 || pct)) {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b[i] & 0xff));
            }
        }
        return sb.toString();
    }

    private static boolean hex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }


    private static int indexOf(byte[] b, byte c) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
