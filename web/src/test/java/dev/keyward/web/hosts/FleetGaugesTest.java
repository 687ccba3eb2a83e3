package dev.keyward.web.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.web.testing.AgentRoots;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet gauges an operator alerts on, with the real agent against the real server: enrolled hosts, the oldest
 * last contact, hosts behind on the KRL (and for how long), and the host credential that expires first.
 */
class FleetGaugesTest {
    @TempDir
    Path tmp;

    private static double gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
        assertTrue(m.find(), name + " missing:\n" + metrics);
        return Double.parseDouble(m.group(1));
    }

    /** /metrics once the gauges' one-second cache has passed. */
    private static String metrics(Api api) throws InterruptedException {
        Thread.sleep(1100);
        return api.get("/metrics", null).body();
    }

    @Test
    void gaugesFollowEnrollmentRevocationAndTheAgentCatchingUp() throws Exception {
        Path root = AgentRoots.withUser(tmp.resolve("root"), AgentAgainstServerTest.USER);
        try (TestServer server = TestServer.start(tmp.resolve("home"), TestDatabases.create())) {
            Api api = server.api();
            String url = "http://127.0.0.1:" + server.port();
            String m = metrics(api);
            assertEquals(0, gauge(m, "keyward_hosts_enrolled"));
            assertTrue(Double.isNaN(gauge(m, "keyward_hosts_last_contact_oldest_seconds")), "no host: NaN");
            assertTrue(Double.isNaN(gauge(m, "keyward_host_credential_expiry_soonest_seconds")), "no host: NaN");
            assertEquals(0, gauge(m, "keyward_hosts_krl_behind"));

            Path join = AgentRoots.register(server, "fleet.example.com", tmp.resolve("join"));
            assertEquals(0, KeywardAgentCli.execute("enroll", "--root", root.toString(), "--server", url,
                    "--join-token-file", join.toString()));
            assertEquals(0, KeywardAgentCli.execute("once", "--root", root.toString(), "--log-source", "none"));
            m = metrics(api);
            assertEquals(1, gauge(m, "keyward_hosts_enrolled"));
            double contact = gauge(m, "keyward_hosts_last_contact_oldest_seconds");
            assertTrue(contact >= 0 && contact < 60, "just seen: " + contact);
            double left = gauge(m, "keyward_host_credential_expiry_soonest_seconds");
            assertTrue(left > Duration.ofDays(364).toSeconds() && left <= Duration.ofDays(365).toSeconds(),
                    "a new credential lives tokens.max_ttl (365d): " + left);
            assertEquals(0, gauge(m, "keyward_hosts_krl_behind"), m);
            assertEquals(0, gauge(m, "keyward_hosts_krl_behind_seconds"));

            // a revocation raises the KRL version: the host is behind until its agent installs the new KRL
            Api.Resp r = api.post("/api/v1/revocations", server.adminToken(), Map.of("key_id", "lost-laptop",
                    "reason", "lost"));
            assertEquals(201, r.status(), r.toString());
            m = metrics(api);
            assertEquals(1, gauge(m, "keyward_hosts_krl_behind"), m);
            assertTrue(gauge(m, "keyward_hosts_krl_behind_seconds") >= 1, m);
            assertEquals(0, KeywardAgentCli.execute("once", "--root", root.toString(), "--log-source", "none"));
            m = metrics(api);
            assertEquals(0, gauge(m, "keyward_hosts_krl_behind"), m);
            assertEquals(0, gauge(m, "keyward_hosts_krl_behind_seconds"));
        }
    }
}
