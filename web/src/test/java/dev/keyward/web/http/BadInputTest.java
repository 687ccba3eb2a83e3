package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadInputTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Api api;
    static String engineer;
    static String admin;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create());
        api = server.api();
        engineer = server.token("engineer", "dana");
        admin = server.adminToken();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode problem(Api.Resp r, int status) {
        assertEquals(status, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        JsonNode j = r.json();
        assertTrue(j.get("type").asText().startsWith("https://"), r.toString());
        assertEquals(status, j.get("status").asInt());
        assertTrue(j.hasNonNull("title") && j.hasNonNull("detail"), r.toString());
        return j;
    }

    @Test
    void malformedJsonIs400() {
        JsonNode p = problem(api.post("/api/v1/certs/user", engineer, "{\"public_key\": "), 400);
        assertTrue(p.get("detail").asText().contains("not valid JSON"), p.toString());
        problem(api.post("/api/v1/certs/user", engineer, "[1,2]"), 400);
        problem(api.post("/api/v1/certs/user", engineer, "null"), 400);
        problem(api.post("/api/v1/certs/user", engineer, "{} {}"), 400);
        problem(api.post("/api/v1/certs/user", engineer, "{\"public_key\":\"a\",\"public_key\":\"b\"}"), 400);
    }

    /** Found by HttpRequestFuzzTest: bytes Jackson took for UTF-32 (a 0x01 and three NULs first) were a 500. */
    @Test
    void bodyThatIsNotUtf8Is400() {
        byte[] body = "\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0002{\"public_key\": \"x\"}"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        JsonNode p = problem(api.send("POST", "/api/v1/certs/user", engineer,
                HttpRequest.BodyPublishers.ofByteArray(body)), 400);
        assertTrue(p.get("detail").asText().contains("not valid JSON"), p.toString());
    }

    @Test
    void emptyBodyIs400() {
        JsonNode p = problem(api.post("/api/v1/certs/user", engineer, ""), 400);
        assertTrue(p.get("detail").asText().contains("JSON body"), p.toString());
    }

    @Test
    void missingFieldIs400NamingIt() {
        JsonNode p = problem(api.post("/api/v1/certs/user", engineer, "{}"), 400);
        assertEquals("field 'public_key' is required", p.get("detail").asText());
    }

    @Test
    void unknownFieldIs400NamingIt() {
        JsonNode p = problem(api.post("/api/v1/certs/user", engineer, "{\"public_key\":\"x\",\"pubkey\":\"y\"}"), 400);
        assertTrue(p.get("detail").asText().contains("'pubkey'"), p.toString());
        assertTrue(p.get("detail").asText().contains("public_key"), p.toString());
    }

    @Test
    void wrongTypeIs400NamingTheField() {
        JsonNode p = problem(api.post("/api/v1/certs/user", engineer, "{\"public_key\": 42}"), 400);
        assertTrue(p.get("detail").asText().contains("'public_key'"), p.toString());
        JsonNode q = problem(api.post("/api/v1/certs/user", engineer, "{\"public_key\":\"x\",\"principals\":\"a\"}"), 400);
        assertTrue(q.get("detail").asText().contains("'principals'"), q.toString());
    }

    @Test
    void badTtlIs400() throws Exception {
        String pub = Files.readString(TestKeys.publicKeyFile(dir, "ttl", "ed25519"));
        JsonNode p = problem(api.post("/api/v1/certs/user", engineer, Map.of("public_key", pub, "ttl", "forever")), 400);
        assertTrue(p.get("detail").asText().contains("ttl"), p.toString());
    }

    @Test
    void bodyOver64KiBIs413WithOrWithoutContentLength() {
        String big = "{\"public_key\":\"" + "A".repeat(70 * 1024) + "\"}";
        problem(api.post("/api/v1/certs/user", engineer, big), 413);
        // chunked: no Content-Length, the cap applies while reading
        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(big.getBytes()));
        problem(api.send("POST", "/api/v1/certs/user", engineer, chunked), 413);
        // just under the limit is parsed (and then refused as a key, 400)
        String almost = "{\"public_key\":\"" + "A".repeat(64 * 1024 - 20) + "\"}";
        problem(api.post("/api/v1/certs/user", engineer, almost), 400);
    }

    @Test
    void badSerialInPathIs400AndUnknownIs404() {
        for (String s : new String[] {"abc", "-1", "0", "99999999999999999999", "1e3"}) {
            problem(api.get("/api/v1/certs/" + s, admin), 400);
        }
        problem(api.get("/api/v1/certs/424242", admin), 404);
    }

    @Test
    void badPagingIs400() {
        problem(api.get("/api/v1/certs?limit=0", admin), 400);
        problem(api.get("/api/v1/certs?limit=5000", admin), 400);
        problem(api.get("/api/v1/certs?offset=-3", admin), 400);
        problem(api.get("/api/v1/certs?cursor=x", admin), 400);
        problem(api.get("/api/v1/certs?cursor=5&offset=2", admin), 400);
    }

    @Test
    void unknownRouteIs404ProblemJson() {
        problem(api.get("/api/v1/nothing-here", admin), 404);
    }

    @Test
    void openApiListsEveryRoute() {
        JsonNode doc = api.get("/openapi.json", null).json();
        assertEquals("3.1.0", doc.get("openapi").asText());
        for (Route r : server.server().routes()) {
            JsonNode op = doc.get("paths").get(r.path());
            assertTrue(op != null && op.has(r.method().toLowerCase()), "missing " + r.method() + " " + r.path());
        }
        assertTrue(doc.get("paths").get("/api/v1/certs/user").get("post").has("requestBody"));
    }

    /** Sends {@code request} as raw bytes and returns the whole response (the server closes after an error). */
    static String rawExchange(String request) throws Exception {
        try (java.net.Socket sock = new java.net.Socket("127.0.0.1", server.port())) {
            sock.setSoTimeout(10_000);
            sock.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            sock.getOutputStream().flush();
            return new String(sock.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static void assertJettyProblem(String response, int status) throws Exception {
        assertTrue(response.startsWith("HTTP/1.1 " + status + " "), response);
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        assertTrue(head.contains("content-type: application/problem+json"), response);
        JsonNode j = dev.keyward.web.http.Json.MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertEquals(status, j.get("status").asInt(), response);
        assertTrue(j.get("type").asText().startsWith("https://keyward.dev/problems/"), response);
        assertTrue(j.hasNonNull("title") && j.hasNonNull("detail"), response);
        assertTrue(!response.contains("<html") && !response.contains("at org.eclipse"), response);
    }

    @Test
    void headersOverTheLimitAre431ProblemJson() throws Exception {
        String big = "x".repeat(16 * 1024);
        String r = rawExchange("GET /api/v1/certs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin
                + "\r\nX-Padding: " + big + "\r\nConnection: close\r\n\r\n");
        assertJettyProblem(r, 431);
    }

    @Test
    void malformedRequestLineIs400ProblemJson() throws Exception {
        assertJettyProblem(rawExchange("GARBAGE\r\n\r\n"), 400);
        assertJettyProblem(rawExchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Name: x\r\n\r\n"),
                400);
    }

    @Test
    void overlongUriIsRefusedAsProblemJson() throws Exception {
        String r = rawExchange("GET /api/v1/certs?" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n");
        int status = Integer.parseInt(r.substring(9, 12));
        assertTrue(status == 414 || status == 431, r);
        assertJettyProblem(r, status);
    }
}
