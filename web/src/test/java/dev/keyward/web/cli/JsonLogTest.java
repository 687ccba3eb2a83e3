package dev.keyward.web.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.web.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward-server serve --log-format json} in its own JVM, on embedded defaults: every line it logs is one JSON
 * object, and a line logged while a request was handled carries the {@code X-Request-Id} its response carried.
 */
class JsonLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyLineIsJsonAndRequestLinesCarryTheResponsesRequestId() throws Exception {
        try (ServerProcess server = ServerProcess.serveEmbedded("serve", dir.resolve("home"), Map.of(), dir,
                List.of("--log-format", "json")).awaitListening(180)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String base = "http://127.0.0.1:" + server.port() + "/api/v1";
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/hosts"))
                    .header("Authorization", "Bearer kw_not-a-token").timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode(), refused.body());
            String id = refused.headers().firstValue("X-Request-Id").orElseThrow();
            assertTrue(id.matches("[0-9a-f]{16}"), id);
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertNotEquals(id, health.headers().firstValue("X-Request-Id").orElseThrow(), "each request its own ID");
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "/nothing-here"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
            assertTrue(missing.headers().firstValue("X-Request-Id").isPresent(), "errors carry an ID too");
            // and so do the KRL 304s answered in front of the API
            String etag = http.send(HttpRequest.newBuilder(URI.create(base + "/krl")).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.discarding()).headers().firstValue("ETag").orElseThrow();
            HttpResponse<Void> notModified = http.send(HttpRequest.newBuilder(URI.create(base + "/krl"))
                    .header("If-None-Match", etag).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(304, notModified.statusCode());
            assertTrue(notModified.headers().firstValue("X-Request-Id").isPresent(), "KRL 304s carry an ID");

            // the refusal's line, with the refused request's ID (bounded wait: the line is written before the answer)
            JsonNode refusal = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (refusal == null && System.nanoTime() < deadline) {
                for (JsonNode l : lines(server.log())) {
                    if (l.get("message").asText().startsWith("Refused credential for GET /api/v1/hosts")) {
                        refusal = l;
                    }
                }
                Thread.sleep(50);
            }
            assertTrue(refusal != null, server.log());
            assertEquals(id, refusal.get("request_id").asText(), refusal.toString());
            assertEquals("INFO", refusal.get("level").asText());
            assertEquals("dev.keyward.web.http.ApiServer", refusal.get("logger").asText());
            assertTrue(refusal.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
                    refusal.toString());
            // lines logged outside any request (start-up) have none
            JsonNode listening = lines(server.log()).stream()
                    .filter(l -> l.get("message").asText().contains("listening on")).findFirst().orElseThrow();
            assertTrue(!listening.has("request_id"), listening.toString());
        }
    }

    /** Every line of the log, each of which must be one JSON object with the four fields every event has. */
    private static List<JsonNode> lines(String log) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        // complete lines only: the server may be writing the next one
        for (String line : log.substring(0, log.lastIndexOf('\n') + 1).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            JsonNode l;
            try {
                l = JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new AssertionError("not a JSON line: " + line + "\nin:\n" + log);
            }
            assertTrue(l.isObject() && l.has("time") && l.has("level") && l.has("logger") && l.has("message"), line);
            lines.add(l);
        }
        return lines;
    }
}
