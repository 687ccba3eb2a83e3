package dev.keyward.cli.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProblemTest {
    static String problem(int status, String detail, String rule) {
        return "{\"type\":\"https://keyward.dev/problems/x\",\"title\":\"T\",\"status\":" + status + ",\"detail\":\""
                + detail + "\"" + (rule == null ? "" : ",\"rule\":\"" + rule + "\"") + "}";
    }

    @Test
    void mapsEachStatusToAnActionableLine() {
        assertTrue(Problem.toException(401, problem(401, "token expired", null), "x").getMessage()
                .startsWith("the server did not accept the token: token expired (check --token-file"));
        assertEquals("refused by the server's issuance policy, rule rules.engineers.max_ttl: ttl 24h is above 8h",
                Problem.toException(403, problem(403, "ttl 24h is above 8h", "rules.engineers.max_ttl"), "x")
                        .getMessage());
        assertEquals("not allowed: auditors get no certificates",
                Problem.toException(403, problem(403, "auditors get no certificates", null), "x").getMessage());
        assertEquals("the server refused the request as malformed: public_key: bad",
                Problem.toException(400, problem(400, "public_key: bad", null), "x").getMessage());
        assertEquals("the server is temporarily unavailable: database down; retry shortly",
                Problem.toException(503, problem(503, "database down", null), "x").getMessage());
        assertEquals("requesting a certificate failed: HTTP 502",
                Problem.toException(502, "<html>bad gateway</html>", "requesting a certificate").getMessage());
    }

    @Test
    void neutralisesTerminalEscapesAndCutsLongDetails() {
        String m = Problem.toException(400, problem(400, "a\\u001b[31mred" + "x".repeat(400), null), "x").getMessage();
        assertTrue(m.contains("a?[31mred"), m);
        assertTrue(m.endsWith("…"), m);
        assertTrue(m.length() < 400, m);
    }
}
