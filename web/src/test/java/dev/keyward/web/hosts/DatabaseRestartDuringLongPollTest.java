package dev.keyward.web.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.agent.client.AgentClient;
import dev.keyward.agent.client.ServerException;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.web.testing.AgentRoots;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL restarts while an enrolled agent long-polls {@code GET /api/v1/agent/state?wait=N} (with the agent's
 * own client, whose read timeout is the agent's: the wait plus {@code http_timeout}, 10 s): a poll held across the
 * stop and start ends cleanly (304, the new state, or 503 while the database is still coming back; never a 500, never
 * the client's timeout), a poll that ends while the database is down, or starts then, is a 503 with the agent
 * protocol's message (the server gives up on the database after the pool's connection timeout); once the database
 * is back the agent's cycles succeed, and a revocation made after the restart wakes the real agent's long poll
 * ({@code keyward-agent run}) before its wait is over, and the KRL it installs revokes the certificate.
 */
class DatabaseRestartDuringLongPollTest {
    static final String USER = Sshd.currentUser();

    @TempDir
    Path tmp;

    /** How a long poll ended: the status (0: no answer at all), the ETag or error, when (System.nanoTime). */
    record Outcome(int status, String detail, long endedAt) {
    }

    @Test
    void aLongPollAcrossADatabaseRestartEndsCleanlyAndTheNextRevocationArrivesByLongPoll() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = tmp.resolve("pgdata");
        Path root = AgentRoots.withUser(tmp.resolve("root"), USER);
        Path engineerKey = Cmd.sshKeygen(Files.createDirectories(tmp.resolve("keys")), "engineer", "ed25519", 0);

        EmbeddedPostgres pg = startPostgres(data, port);
        TestServer server = null;
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            server = TestServer.start(tmp.resolve("home"), new TestDatabases.Db(pg.getJdbcUrl("postgres", "postgres"),
                    "postgres", null, "postgres"));
            Api api = server.api();
            String admin = server.adminToken();
            String url = "http://127.0.0.1:" + server.port();
            Path joinToken = AgentRoots.register(server, "poll.example.com", tmp.resolve("join-token"));
            assertEquals(0, agent(root, "enroll", "--server", url, "--join-token-file", joinToken.toString()));
            assertEquals(0, agent(root, once(url)));
            AgentClient client = new AgentClient(URI.create(url),
                    Files.readString(root.resolve("var/lib/keyward-agent/credential")).strip(), Duration.ofSeconds(10));
            String etag = client.state(null, 0).orElseThrow().etag();

            // held across a stop and a start of the database
            Future<Outcome> held = background.submit(() -> longPoll(client, etag, 6));
            Thread.sleep(1_000); // the request is at the server, waiting
            pg.close();
            pg = null;
            long stoppedAt = System.nanoTime();
            pg = startPostgres(data, port);
            Outcome across = held.get(60, TimeUnit.SECONDS);
            assertTrue(across.status() == 304 || across.status() == 503
                    || (across.status() == 200 && !etag.equals(across.detail())), across.toString());
            assertTrue(across.endedAt() > stoppedAt, "the poll was held while the database stopped: " + across);

            // ending while the database is down
            Future<Outcome> ending = background.submit(() -> longPoll(client, etag, 3));
            Thread.sleep(1_000);
            pg.close();
            pg = null;
            Outcome down = ending.get(60, TimeUnit.SECONDS);
            assertEquals(503, down.status(), down.toString());
            assertTrue(down.detail().contains("database is unavailable"), down.toString());
            Outcome refused = longPoll(client, etag, 3); // one that starts while it is down
            assertEquals(503, refused.status(), refused.toString());
            pg = startPostgres(data, port);

            // the agent's cycles succeed once the database is back
            int rc = 1;
            for (int i = 0; i < 60 && rc != 0; i++) {
                rc = agent(root, once(url));
                if (rc != 0) {
                    Thread.sleep(500);
                }
            }
            assertEquals(0, rc, "no successful cycle after the database came back");
            assertEquals(0, agent(root, once(url)));

            // a revocation after the restart reaches the real agent by its long poll, well before its wait is over
            Api.Resp cert = api.post("/api/v1/certs/user", server.token("engineer", USER),
                    Map.of("public_key", Files.readString(Path.of(engineerKey + ".pub"))));
            assertEquals(201, cert.status(), cert.toString());
            Path certFile = Files.writeString(Path.of(engineerKey + "-cert.pub"),
                    cert.json().get("certificate").asText() + "\n");
            assertEquals(0, agent(root, once(url))); // the new KRL version is in the state the agent now holds
            Path revokedKeys = root.resolve("etc/ssh/keyward/revoked_keys");
            assertEquals(0, Cmd.run(List.of("ssh-keygen", "-Q", "-f", revokedKeys.toString(), certFile.toString()))
                    .exitCode(), "not revoked yet");
            long started = System.nanoTime();
            Future<Integer> run = background.submit(() -> agent(root, "run", "--max-cycles", "1", "--server", url,
                    "--log-source", "none", "--set", "long_poll=45"));
            Thread.sleep(1_000);
            assertEquals(200, api.post("/api/v1/certs/" + cert.json().get("serial").asLong() + "/revoke", admin,
                    Map.of("reason", "laptop lost")).status());
            assertEquals(0, run.get(90, TimeUnit.SECONDS));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertTrue(seconds < 30, "woken by the revocation, not by the end of its 45 s wait: " + seconds + " s");
            JsonNode status = Api.JSON.readTree(root.resolve("var/lib/keyward-agent/status.json").toFile());
            assertEquals(0, status.get("last_errors").size(), status.toString());
            assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", revokedKeys.toString(), certFile.toString()))
                    .exitCode(), "ssh-keygen -Q: revoked by the KRL the agent installed");
            assertNotEquals(etag, status.get("state_etag").asText());
        } finally {
            background.shutdownNow();
            background.awaitTermination(60, TimeUnit.SECONDS);
            if (server != null) {
                server.close();
            }
            if (pg != null) {
                pg.close();
            }
        }
    }

    private static EmbeddedPostgres startPostgres(Path data, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
    }

    /** One long poll with the agent's client; its own read timeout (the wait plus 10 s) bounds it. */
    private static Outcome longPoll(AgentClient client, String etag, int waitSeconds) {
        try {
            Optional<AgentClient.Fetched> f = client.state(etag, waitSeconds);
            return new Outcome(f.isPresent() ? 200 : 304, f.map(AgentClient.Fetched::etag).orElse(etag),
                    System.nanoTime());
        } catch (ServerException e) {
            return new Outcome(e.status(), e.getMessage(), System.nanoTime());
        } catch (IOException e) {
            return new Outcome(0, e.toString(), System.nanoTime());
        }
    }

    private static String[] once(String url) {
        return new String[] {"once", "--server", url, "--log-source", "none"};
    }

    private static int agent(Path root, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--root", root.toString()));
        return KeywardAgentCli.execute(a.toArray(String[]::new));
    }
}
