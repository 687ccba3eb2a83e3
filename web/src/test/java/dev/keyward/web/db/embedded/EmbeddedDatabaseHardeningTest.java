package dev.keyward.web.db.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.db.Database;
import dev.keyward.web.service.TokenService;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.ServerProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's {@code serve} on embedded defaults, attacked by another local user: the embedded PostgreSQL must not
 * run as root, must not let any other account in (over TCP or its socket, as {@code postgres}, {@code keyward} or
 * the account's own name), and the server's own role must not be a superuser. A home made by an older release
 * (a root-owned cluster that trusted every local connection, the tables in the database {@code postgres}) is
 * closed the same way at its next start, with its data. A server killed with {@code kill -9} leaves its
 * PostgreSQL running; the next server stops that one and starts its own, which it stops when it stops.
 *
 * <p>As root only (creating a local user and an unprivileged database account needs it; CI runs as root).
 * {@code psql} (postgresql-client, installed by scripts/test) plays the other user's client.
 */
class EmbeddedDatabaseHardeningTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void rootOnly() {
        assumeTrue(PgAccount.processUid() == 0, "needs root: creates a local user to attack the database with");
    }

    @Test
    void otherLocalUsersCannotConnectAndPostgresDoesNotRunAsRoot() throws Exception {
        Path home = dir.resolve("home");
        try (LocalUser mallory = LocalUser.create();
                ServerProcess server = ServerProcess.serveEmbedded("serve", home, Map.of(), dir).awaitListening(180)) {
            Postmaster pm = Postmaster.read(home.resolve("pgdata")).orElseThrow();
            assertNotEquals(0, pm.uid(), "the postmaster must not run as root");
            assertNotEquals(0, (int) (Integer) Files.getAttribute(home.resolve("pgdata"), "unix:uid"),
                    "pgdata belongs to the database account");
            assertEquals("rw-------", mode(home.resolve("pg-password")));
            assertEquals("rwx------", mode(home.resolve("pgdata")));
            assertEquals("rwx------", mode(home.resolve("pgsocket")));
            assertRefusesEveryone(mallory, home, pm.port());

            // the server's own role: not a superuser, cannot run programs on the database host
            try (Connection c = connectAsKeyward(home, pm.port()); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles"
                        + " WHERE rolname = current_user")) {
                    assertTrue(rs.next());
                    assertFalse(rs.getBoolean(1) || rs.getBoolean(2) || rs.getBoolean(3), "keyward has no privileges");
                }
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                        () -> st.execute("COPY (SELECT 1) TO PROGRAM 'id'"));
                assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
            }

            String log = server.log();
            assertFalse(log.contains(Files.readString(home.resolve("pg-password")).strip()),
                    "the database password must never be logged");

            // admin commands attach to the running server's database with the password file
            ServerProcess.Result token = ServerProcess.run(dir, Map.of("KEYWARD_HOME", home.toString()), "token",
                    "create", "--name", "ops", "--role", "auditor", "--ttl", "1h");
            assertEquals(0, token.exitCode(), token.output());
            ServerProcess.Result verify = ServerProcess.run(dir, Map.of("KEYWARD_HOME", home.toString()), "audit",
                    "verify");
            assertEquals(0, verify.exitCode(), verify.output());
            assertTrue(Postmaster.read(home.resolve("pgdata")).isPresent(), "attaching commands leave it running");
        }
        assertTrue(Postmaster.read(home.resolve("pgdata")).isEmpty(), "serve stops the PostgreSQL it started");
    }

    @Test
    void homeOfAnOlderReleaseIsClosedAndKeepsItsData() throws Exception {
        Path home = dir.resolve("legacy");
        String adminToken = legacyHome(home);
        try (LocalUser mallory = LocalUser.create();
                ServerProcess server = ServerProcess.serveEmbedded("serve", home, Map.of(), dir).awaitListening(180)) {
            Postmaster pm = Postmaster.read(home.resolve("pgdata")).orElseThrow();
            assertNotEquals(0, pm.uid());
            assertRefusesEveryone(mallory, home, pm.port());
            // the token made before the upgrade still works: the tables moved with their rows
            Api.Resp cert = new Api(server.port()).post("/api/v1/certs/user", adminToken,
                    Map.of("public_key", Files.readString(TestKeys.publicKeyFile(dir, "k", "ed25519"))));
            assertEquals(201, cert.status(), cert.toString());
            try (Connection c = connectAsKeyward(home, pm.port()); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_class c JOIN pg_namespace n"
                            + " ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S')"
                            + " AND pg_get_userbyid(c.relowner) <> 'keyward'")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "every table and sequence belongs to keyward");
            }
        }
    }

    @Test
    void serverKilledWithSigkillLeavesNoPostgresBehindItsSuccessor() throws Exception {
        Path home = dir.resolve("home");
        long orphan;
        try (ServerProcess first = ServerProcess.serveEmbedded("first", home, Map.of(), dir).awaitListening(180)) {
            orphan = Postmaster.read(home.resolve("pgdata")).orElseThrow().pid();
            first.kill();
        }
        List<Long> started = new ArrayList<>(List.of(orphan));
        try {
            assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false),
                    "kill -9 left the PostgreSQL running (the case to handle)");
            long second;
            try (ServerProcess next = ServerProcess.serveEmbedded("next", home, Map.of(), dir).awaitListening(180)) {
                second = Postmaster.read(home.resolve("pgdata")).orElseThrow().pid();
                started.add(second);
                assertNotEquals(orphan, second, "the left-over PostgreSQL was restarted cleanly");
                assertFalse(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false));
                assertEquals(200, new Api(next.port()).get("/readyz", null).status());
            }
            assertFalse(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false),
                    "the server stops the PostgreSQL it owns");
            assertFalse(Files.exists(home.resolve("pgdata/postmaster.pid")));
        } finally {
            for (long pid : started) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Every way in for another local user fails: TCP and socket, as postgres, keyward and its own name. */
    private static void assertRefusesEveryone(LocalUser user, Path home, int port) throws Exception {
        List<String> hosts = List.of("127.0.0.1", home.resolve("pgsocket").toString());
        for (String host : hosts) {
            for (String role : List.of("postgres", "keyward", user.name())) {
                for (String db : List.of("postgres", "keyward", "template1")) {
                    for (String password : new String[] {"", "keyward", "postgres"}) {
                        LocalUser.Result r = user.run(Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "5"),
                                "psql", "-w", "-X", "-h", host, "-p", Integer.toString(port), "-U", role, "-d", db,
                                "-c", "SELECT 1");
                        assertNotEquals(0, r.exitCode(), user.name() + " got in as " + role + "@" + db + " via " + host
                                + ": " + r.output());
                    }
                }
            }
        }
        // the probe itself works: with the password (which only the server's user can read) the role gets in
        LocalUser.Result ok = LocalUser.exec(List.of("psql", "-w", "-X", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-U", "keyward", "-d", "keyward", "-tAc", "SELECT 42"),
                Map.of("PGPASSWORD", Files.readString(home.resolve("pg-password")).strip()));
        assertEquals("42", ok.output().strip(), ok.output());
    }

    private static Connection connectAsKeyward(Path home, int port) throws IOException, SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/keyward", "keyward",
                Files.readString(home.resolve("pg-password")).strip());
    }

    /**
     * A home as an older release left it: a cluster created and run by root with zonky's defaults (trust for every
     * local connection), Keyward's tables in the database postgres, and an admin token. Returns the token.
     */
    private static String legacyHome(Path home) throws IOException {
        Files.createDirectories(home.resolve("pg"));
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(home.resolve("pgdata"))
                .setCleanDataDirectory(false).setOverrideWorkingDirectory(home.resolve("pg").toFile())
                .setServerConfig("listen_addresses", "127.0.0.1").start();
                Database db = Database.connect(pg.getJdbcUrl("postgres", "postgres"), "postgres", null, 2)) {
            db.migrate();
            return new TokenService(db, Clock.systemUTC(), Duration.ofDays(365)).bootstrapAdmin(Duration.ofDays(1))
                    .orElseThrow().secret();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
