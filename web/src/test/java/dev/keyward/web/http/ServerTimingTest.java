package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http.server_timing}: each user certificate's answer says where its time went on the server (what
 * scripts/bench-server reads for its slowest requests); off by default, when the header is not sent at all.
 */
class ServerTimingTest {
    @TempDir
    Path tmp;

    @Test
    void issuanceAnswersWithItsPhasesWhenTurnedOn() {
        try (TestServer server = TestServer.startWithHttp(tmp.resolve("on"), TestDatabases.create(),
                "server_timing: true\n")) {
            String token = server.token("engineer", "alice");
            var r = server.api().post("/api/v1/certs/user", token, Map.of("public_key", SshKeyLines.ed25519("a")));
            assertEquals(201, r.status(), r.toString());
            String timing = r.header("Server-Timing");
            assertTrue(timing != null && timing.matches("pre;dur=[0-9.]+, queue;dur=[0-9.]+, db;dur=[0-9.]+,"
                    + " sign;dur=[0-9.]+, write;dur=[0-9.]+, commit;dur=[0-9.]+, post;dur=[0-9.]+, app;dur=[0-9.]+,"
                    + " batch;desc=1"), timing);
            double[] phases = Arrays.stream(timing.split(", ")).filter(p -> p.contains(";dur="))
                    .mapToDouble(p -> Double.parseDouble(p.substring(p.indexOf('=') + 1))).toArray();
            double app = phases[phases.length - 1];
            double sum = Arrays.stream(phases, 0, phases.length - 1).sum();
            assertTrue(Math.abs(app - sum) < 0.01 && app > 0, "the phases add up to the whole: " + timing);
            // a refusal carries no timing
            var bad = server.api().post("/api/v1/certs/user", token, Map.of("public_key", "ssh-ed25519 AAAA"));
            assertEquals(400, bad.status(), bad.toString());
            assertNull(bad.header("Server-Timing"));
        }
    }

    @Test
    void offByDefault() {
        try (TestServer server = TestServer.start(tmp.resolve("off"), TestDatabases.create())) {
            var r = server.api().post("/api/v1/certs/user", server.token("engineer", "alice"),
                    Map.of("public_key", SshKeyLines.ed25519("a")));
            assertEquals(201, r.status(), r.toString());
            assertNull(r.header("Server-Timing"));
        }
    }

    @Test
    void refusesAValueThatIsNotABoolean() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> TestServer.startWithHttp(
                tmp.resolve("bad"), TestDatabases.create(), "server_timing: sometimes\n").close());
        assertTrue(String.valueOf(e.getMessage()).contains("http.server_timing must be true or false"), e.toString());
    }
}
