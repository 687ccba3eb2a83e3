package dev.keyward.web.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.testing.ServerCli;
import dev.keyward.web.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin commands in-process, against a test database named in a configuration file. */
class CliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ServerCli.Run r = ServerCli.run(args);
        return new Run(r.code(), r.out(), r.err());
    }

    private Path config(TestDatabases.Db db) throws Exception {
        Path f = dir.resolve("keyward.yaml");
        Files.writeString(f, "home: " + dir.resolve("home") + "\ndatabase:\n  url: \"" + db.url() + "\"\n  user: "
                + db.user() + "\n" + (db.password() == null ? "" : "  password_file: " + db.passwordFile(dir) + "\n"));
        return f;
    }

    @Test
    void migrateThenTokenCreateThenAuditVerify() throws Exception {
        TestDatabases.Db db = TestDatabases.create();
        Path cfg = config(db);
        Run m = run("migrate", "--config", cfg.toString());
        assertEquals(0, m.code(), m.err());
        assertTrue(m.out().matches("(?s).*applied [1-9][0-9]* migration.*"), m.out()); // every V*.sql, however many
        Run again = run("migrate", "--config", cfg.toString());
        assertTrue(again.out().contains("applied 0 migration"), again.out());

        Run t = run("token", "create", "--config", cfg.toString(), "--name", "ops", "--role", "admin", "--ttl", "2h");
        assertEquals(0, t.code(), t.err());
        String token = t.out().strip();
        assertTrue(token.startsWith("kwt_") && token.length() == 47, t.out());
        assertTrue(t.err().contains("shown only this once"), t.err());
        assertEquals(1, db.execute("UPDATE api_tokens SET name = name WHERE name = 'ops' AND role = 'admin'"));

        Run v = run("audit", "verify", "--config", cfg.toString());
        assertEquals(0, v.code(), v.err());
        assertTrue(v.out().contains("1 entries"), v.out());
    }

    @Test
    void badArgumentsAndConfigurationExitWith2() throws Exception {
        TestDatabases.Db db = TestDatabases.create();
        Path cfg = config(db);
        Run role = run("token", "create", "--config", cfg.toString(), "--name", "x", "--role", "root");
        assertEquals(2, role.code());
        assertTrue(role.err().contains("role must be one of"), role.err());
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "http:\n  port: -1\n");
        Run r = run("migrate", "--config", bad.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("http.port"), r.err());
    }
}
