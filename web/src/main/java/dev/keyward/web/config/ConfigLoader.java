package dev.keyward.web.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.CaAlgorithm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a {@link ServerConfig} from an optional YAML file and the environment. Environment variables win over
 * the file:
 * <pre>
 *   KEYWARD_HOME              home                      KEYWARD_DB_URL            database.url
 *   KEYWARD_HTTP_BIND         http.bind                 KEYWARD_DB_USER           database.user
 *   KEYWARD_HTTP_PORT         http.port                 KEYWARD_DB_PASSWORD_FILE  database.password_file
 *   KEYWARD_TLS_CERT_FILE     http.tls.cert_file        KEYWARD_USER_CA_KEY       ca.user_key
 *   KEYWARD_TLS_KEY_FILE      http.tls.key_file         KEYWARD_HOST_CA_KEY       ca.host_key
 *   KEYWARD_LOG_FORMAT        log.format                KEYWARD_AUDIT_KEY         audit.key
 * </pre>
 */
public final class ConfigLoader {
    static final Set<String> TOP_KEYS = Set.of("home", "http", "database", "ca", "tokens", "krl", "policy", "oidc",
            "inventory", "audit", "log", "console");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    private final Map<String, String> env;

    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static ConfigLoader fromEnvironment() {
        return new ConfigLoader(System.getenv());
    }

    /** Loads {@code file} (if given) with environment overrides, and validates everything. */
    public ServerConfig load(Optional<Path> file) {
        JsonNode root = file.map(this::read).orElse(null);
        ConfigTree top = new ConfigTree(root, "");
        top.checkKnown(TOP_KEYS);

        Path home = env("KEYWARD_HOME").or(() -> top.string("home")).map(h -> path(h, "home")).orElse(Path.of(".keyward"))
                .toAbsolutePath().normalize();

        ConfigTree http = top.section("http");
        http.checkKnown(Set.of("bind", "port", "tls", "limits", "server_timing", "shutdown_timeout"));
        ConfigTree tls = http.section("tls");
        tls.checkKnown(Set.of("cert_file", "key_file"));
        Optional<String> certFile = env("KEYWARD_TLS_CERT_FILE").or(() -> tls.string("cert_file"));
        Optional<String> keyFile = env("KEYWARD_TLS_KEY_FILE").or(() -> tls.string("key_file"));
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new ConfigException("http.tls.cert_file and http.tls.key_file go together: set both for HTTPS");
        }
        Optional<TlsConfig> tlsConfig = certFile.map(c -> new TlsConfig(readable(path(c, "http.tls.cert_file"), "http.tls.cert_file"),
                readable(path(keyFile.get(), "http.tls.key_file"), "http.tls.key_file")));
        int port = env("KEYWARD_HTTP_PORT").map(p -> ConfigTree.parseInt("KEYWARD_HTTP_PORT", p))
                .or(() -> http.integer("port")).orElse(8080);
        String bind = env("KEYWARD_HTTP_BIND").or(() -> http.string("bind")).orElse("127.0.0.1");
        HttpConfig httpConfig = new HttpConfig(bind, port, false, tlsConfig,
                HttpLimits.parse(http.section("limits")), http.bool("server_timing").orElse(false),
                HttpLimits.timeout(http, "shutdown_timeout", Optional.of(HttpConfig.DEFAULT_SHUTDOWN_TIMEOUT))
                        .orElse(Duration.ZERO));

        ConfigTree db = top.section("database");
        db.checkKnown(Set.of("url", "user", "password_file", "pool_size"));
        Optional<String> url = env("KEYWARD_DB_URL").or(() -> db.string("url"));
        String user = env("KEYWARD_DB_USER").or(() -> db.string("user")).orElse(url.isPresent() ? "" : "postgres");
        Optional<Path> passwordFile = env("KEYWARD_DB_PASSWORD_FILE").or(() -> db.string("password_file"))
                .map(p -> readable(path(p, "database.password_file"), "database.password_file"));
        int poolSize = db.integer("pool_size").orElse(10);
        DatabaseConfig dbConfig = new DatabaseConfig(url, user, passwordFile, poolSize);

        ConfigTree ca = top.section("ca");
        ca.checkKnown(Set.of("user_key", "host_key", "algorithm", "storage", "cryptoperiod", "signing_threads"));
        CaAlgorithm algorithm;
        try {
            algorithm = ca.string("algorithm").map(CaAlgorithm::parse).orElse(CaAlgorithm.DEFAULT);
        } catch (InvalidInputException e) {
            throw new ConfigException("ca.algorithm: " + e.getMessage());
        }
        CaKeysConfig.Storage storage = ca.string("storage").map(s -> parseStorage(s)).orElse(CaKeysConfig.Storage.AUTO);
        CaKeysConfig caConfig = new CaKeysConfig(env("KEYWARD_USER_CA_KEY").or(() -> ca.string("user_key")),
                env("KEYWARD_HOST_CA_KEY").or(() -> ca.string("host_key")), algorithm, storage,
                ca.duration("cryptoperiod").orElse(CaKeysConfig.DEFAULT_CRYPTOPERIOD), signingThreads(ca));

        ConfigTree tokens = top.section("tokens");
        tokens.checkKnown(Set.of("max_ttl", "bootstrap_ttl"));
        TokensConfig tokensConfig = new TokensConfig(tokens.duration("max_ttl").orElse(Duration.ofDays(365)),
                tokens.duration("bootstrap_ttl").orElse(Duration.ofDays(30)));

        ConfigTree krl = top.section("krl");
        krl.checkKnown(Set.of("version_check_interval"));
        KrlConfig krlConfig = new KrlConfig(krl.string("version_check_interval")
                .map(s -> s.equals("0") ? Duration.ZERO : ConfigTree.parseDuration("krl.version_check_interval", s))
                .orElse(Duration.ofSeconds(1)));

        ConfigTree inv = top.section("inventory");
        inv.checkKnown(Set.of("unused_after", "old_after", "purge_unused_after"));
        InventoryConfig inventoryConfig = new InventoryConfig(
                inv.duration("unused_after").orElse(InventoryConfig.DEFAULTS.unusedAfter()),
                inv.duration("old_after").orElse(InventoryConfig.DEFAULTS.oldAfter()),
                inv.string("purge_unused_after").filter(v -> !v.equals("off"))
                        .map(v -> ConfigTree.parseDuration("inventory.purge_unused_after", v)));

        AuditConfig auditConfig = AuditConfig.parse(top.section("audit"), home, env("KEYWARD_AUDIT_KEY"));

        Map<String, Object> policy = top.section("policy").asMap(yaml);
        Optional<OidcConfig> oidc = OidcConfig.parse(top.section("oidc"));

        ConfigTree log = top.section("log");
        log.checkKnown(Set.of("format"));
        LogFormat logFormat = env("KEYWARD_LOG_FORMAT").map(f -> LogFormat.parse("KEYWARD_LOG_FORMAT", f))
                .or(() -> log.string("format").map(f -> LogFormat.parse("log.format", f))).orElse(LogFormat.TEXT);
        ConsoleConfig consoleConfig = ConsoleConfig.parse(top.section("console"));
        return new ServerConfig(home, httpConfig, dbConfig, caConfig, tokensConfig, krlConfig, policy, oidc,
                inventoryConfig, auditConfig, logFormat, consoleConfig);
    }

    /** {@code ca.signing_threads}: {@code auto} (empty: the server decides) or a whole number. */
    private static Optional<Integer> signingThreads(ConfigTree ca) {
        return ca.string("signing_threads").filter(s -> !s.equalsIgnoreCase("auto")).map(s -> {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw CaKeysConfig.badSigningThreads("'" + s + "'");
            }
        });
    }

    private static CaKeysConfig.Storage parseStorage(String s) {
        try {
            return CaKeysConfig.Storage.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("ca.storage must be auto, softhsm or software, got '" + s + "'");
        }
    }

    private Optional<String> env(String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private JsonNode read(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException("configuration file " + file + " does not exist or is not readable");
        }
        try {
            return yaml.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: "
                    + e.getOriginalMessage() + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code value} as a path; a value no path can be (a NUL character) is refused naming {@code key}. */
    private static Path path(String value, String key) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException(key + ": '" + value.replace("\0", "\\0") + "' is not a file path ("
                    + e.getReason() + ")");
        }
    }

    private static Path readable(Path p, String key) {
        if (!Files.isReadable(p)) {
            throw new ConfigException(key + ": file " + p + " does not exist or is not readable");
        }
        return p;
    }
}
