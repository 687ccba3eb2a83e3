package dev.keyward.web.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JSON log's lines: one object per event, whatever the message holds, with the request's ID while one is handled. */
class JsonLoggerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T20:15:07Z"), ZoneOffset.UTC);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);

    @BeforeEach
    void everyLevel() {
        System.setProperty(LogLevels.PREFIX + "log.dev.keyward.test", "trace");
    }

    @AfterEach
    void clear() {
        RequestLogContext.clear();
        System.clearProperty(LogLevels.PREFIX + "log.dev.keyward.test");
        System.clearProperty(LogLevels.PREFIX + "log.test.quiet");
    }

    private JsonLogger logger(String name) {
        return new JsonLogger(name, CLOCK, () -> stream);
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String l : out.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (!l.isEmpty()) {
                lines.add(JSON.readTree(l));
            }
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).endsWith("\n"));
        return lines;
    }

    @Test
    void eachEventIsOneObjectOnOneLine() throws Exception {
        logger("dev.keyward.test.A").info("Refused credential for {} {}: {}", "GET", "/api/v1/certs",
                "bad \"token\"\nsecond line\u0001");
        List<JsonNode> lines = lines();
        assertEquals(1, lines.size());
        JsonNode l = lines.get(0);
        assertEquals("2026-12-04T20:15:07.000Z", l.get("time").asText());
        assertEquals("INFO", l.get("level").asText());
        assertEquals("dev.keyward.test.A", l.get("logger").asText());
        assertEquals("Refused credential for GET /api/v1/certs: bad \"token\"\nsecond line\u0001", l.get("message").asText());
        assertFalse(l.has("request_id"), "no request is being handled");
        assertFalse(l.has("exception"));
    }

    @Test
    void linesWrittenWhileARequestIsHandledCarryItsId() throws Exception {
        RequestLogContext.set("0123456789abcdef");
        logger("dev.keyward.test.B").warn("during");
        RequestLogContext.clear();
        logger("dev.keyward.test.B").warn("after");
        List<JsonNode> lines = lines();
        assertEquals("0123456789abcdef", lines.get(0).get("request_id").asText());
        assertFalse(lines.get(1).has("request_id"));
    }

    @Test
    void anExceptionIsItsStackTraceInOneField() throws Exception {
        IllegalStateException e = new IllegalStateException("boom");
        logger("dev.keyward.test.C").error("failed for {}", "host-1", e);
        JsonNode l = lines().get(0);
        assertEquals("ERROR", l.get("level").asText());
        assertEquals("failed for host-1", l.get("message").asText());
        assertTrue(l.get("exception").asText().startsWith("java.lang.IllegalStateException: boom\n\tat "),
                l.get("exception").asText());
    }

    @Test
    void levelsComeFromTheTextFormatsProperties() throws Exception {
        System.setProperty(LogLevels.PREFIX + "log.test.quiet", "warn");
        JsonLogger quiet = logger("test.quiet.Child");
        assertFalse(quiet.isInfoEnabled());
        quiet.info("not written");
        quiet.warn("written");
        List<JsonNode> lines = lines();
        assertEquals(1, lines.size());
        assertEquals("written", lines.get(0).get("message").asText());
    }
}
