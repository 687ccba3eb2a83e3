package dev.keyward.web.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.web.testing.AgentRoots;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host enrolled when the agent kept its state in /var/lib/keyward (now the server package's state directory)
 * keeps working against the real server: with the credential only there, the agent's cycles use it and keep their
 * status beside it, and create nothing in /var/lib/keyward-agent.
 */
class LegacyAgentStateTest {
    @TempDir
    Path tmp;

    @Test
    void anAgentWhoseStateIsInVarLibKeywardKeepsUsingIt() throws Exception {
        Path root = AgentRoots.withUser(tmp.resolve("root"), AgentAgainstServerTest.USER);
        try (TestServer server = TestServer.start(tmp.resolve("home"), TestDatabases.create())) {
            String url = "http://127.0.0.1:" + server.port();
            Path join = AgentRoots.register(server, "legacy.example.com", tmp.resolve("join"));
            assertEquals(0, KeywardAgentCli.execute("enroll", "--root", root.toString(), "--server", url,
                    "--join-token-file", join.toString()));
            // the state as an older agent left it
            Files.move(root.resolve("var/lib/keyward-agent"), root.resolve("var/lib/keyward"));

            assertEquals(0, KeywardAgentCli.execute("once", "--root", root.toString(), "--log-source", "none"));
            assertFalse(Files.exists(root.resolve("var/lib/keyward-agent")), "nothing in the new place");
            assertTrue(Files.exists(root.resolve("var/lib/keyward/status.json")), "status beside the credential");
            Api.Resp hosts = server.api().get("/api/v1/hosts", server.adminToken());
            assertTrue(hosts.json().get("items").get(0).hasNonNull("last_seen_at"), hosts.toString());
        }
    }
}
