package dev.keyward.web.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The embedded PostgreSQL of a server running on embedded defaults, reached as the server reaches it: the port from
 * {@code pgdata/postmaster.pid} (its fourth line), the role {@code keyward} with the password the server keeps in
 * {@code $KEYWARD_HOME/pg-password} (0600).
 */
final class EmbeddedDb {
    private EmbeddedDb() {
    }

    static String jdbcUrl(Path home) throws IOException {
        List<String> pid = Files.readAllLines(home.resolve("pgdata").resolve("postmaster.pid"), StandardCharsets.US_ASCII);
        return "jdbc:postgresql://127.0.0.1:" + Integer.parseInt(pid.get(3).strip()) + "/keyward";
    }

    static Properties login(Path home) throws IOException {
        Properties login = new Properties();
        login.setProperty("user", "keyward");
        login.setProperty("password", Files.readString(home.resolve("pg-password")).strip());
        return login;
    }
}
