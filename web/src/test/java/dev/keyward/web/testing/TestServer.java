package dev.keyward.web.testing;

import dev.keyward.web.KeywardServer;
import dev.keyward.web.config.ConfigLoader;
import dev.keyward.web.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A Keyward server for one test: software CA keys and state under {@code home}, the given test database, a free
 * port on 127.0.0.1. {@link #close()} stops it; {@link #restart()} stops it and starts a new one on the same
 * database and home.
 */
public final class TestServer implements AutoCloseable {
    private final Path home;
    private final TestDatabases.Db db;
    private final String extraYaml;
    private String httpExtraYaml = "";
    private KeywardServer server;
    private Api api;

    private TestServer(Path home, TestDatabases.Db db, String extraYaml) {
        this.home = home;
        this.db = db;
        this.extraYaml = extraYaml;
    }

    public static TestServer start(Path home, TestDatabases.Db db) {
        return start(home, db, "");
    }

    /** {@code extraYaml} is appended to the generated configuration (e.g. a {@code policy:} section). */
    public static TestServer start(Path home, TestDatabases.Db db, String extraYaml) {
        TestServer s = new TestServer(home, db, extraYaml);
        s.boot();
        return s;
    }

    /** {@code httpYaml} is added to the generated {@code http:} section, indented by two spaces (e.g. {@code limits:}). */
    public static TestServer startWithHttp(Path home, TestDatabases.Db db, String httpYaml) {
        TestServer s = new TestServer(home, db, "");
        s.httpExtraYaml = httpYaml.indent(2);
        s.boot();
        return s;
    }

    /** Both: {@code httpYaml} into the {@code http:} section, {@code extraYaml} appended. */
    public static TestServer start(Path home, TestDatabases.Db db, String httpYaml, String extraYaml) {
        TestServer s = new TestServer(home, db, extraYaml);
        s.httpExtraYaml = httpYaml.indent(2);
        s.boot();
        return s;
    }

    /** Starts a server with HTTPS from these PEM files. */
    public static TestServer startTls(Path home, TestDatabases.Db db, Path certFile, Path keyFile) {
        TestServer s = new TestServer(home, db, "");
        s.httpExtraYaml = "  tls:\n    cert_file: " + certFile + "\n    key_file: " + keyFile + "\n";
        s.boot();
        return s;
    }

    /** The configuration file the test server runs with (also usable by CLI commands). */
    public Path configFile() {
        try {
            Files.createDirectories(home);
            Path pw = db.passwordFile(home);
            StringBuilder y = new StringBuilder();
            y.append("home: ").append(home).append('\n');
            y.append("http:\n  bind: 127.0.0.1\n  port: 0\n").append(httpExtraYaml);
            y.append("database:\n  url: \"").append(db.url()).append("\"\n  user: ").append(db.user()).append('\n');
            y.append("  pool_size: 8\n");
            if (pw != null) {
                y.append("  password_file: ").append(pw).append('\n');
            }
            if (!extraYaml.startsWith("ca:") && !extraYaml.contains("\nca:")) {
                y.append("ca:\n  storage: software\n");
            }
            y.append("krl:\n  version_check_interval: 0\n");
            y.append(extraYaml);
            Path f = home.resolve("keyward.yaml");
            Files.writeString(f, y.toString());
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ServerConfig config() {
        Map<String, String> env = new HashMap<>();
        return new ConfigLoader(env).load(Optional.of(configFile()));
    }

    private void boot() {
        server = KeywardServer.start(config(), KeywardServer.Options.defaults());
        api = new Api(server.port());
    }

    public void restart() {
        server.close();
        boot();
    }

    public Api api() {
        return api;
    }

    public int port() {
        return server.port();
    }

    public KeywardServer server() {
        return server;
    }

    public Path home() {
        return home;
    }

    public TestDatabases.Db db() {
        return db;
    }

    /** The bootstrap admin token the server wrote on first start. */
    public String adminToken() {
        try {
            return Files.readString(home.resolve("admin-token")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a token through the API with the admin token; returns its secret. */
    public String token(String role, String username, String... principals) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", role + "-" + username);
        body.put("role", role);
        body.put("username", username);
        body.put("ttl", "1d");
        if (principals.length > 0) {
            body.put("principals", java.util.List.of(principals));
        }
        Api.Resp r = api.post("/api/v1/tokens", adminToken(), body);
        if (r.status() != 201) {
            throw new AssertionError("creating a " + role + " token failed: " + r);
        }
        return r.json().get("token").asText();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
