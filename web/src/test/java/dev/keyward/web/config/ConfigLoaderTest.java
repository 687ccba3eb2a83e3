package dev.keyward.web.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private ServerConfig load(String yaml, Map<String, String> env) throws Exception {
        Path f = dir.resolve("k.yaml");
        Files.writeString(f, yaml);
        return new ConfigLoader(env).load(Optional.of(f));
    }

    @Test
    void noConfigurationMeansEmbeddedDefaultsOnLoopback() {
        ServerConfig c = new ConfigLoader(Map.of("KEYWARD_HOME", dir.toString())).load(Optional.empty());
        assertEquals(dir.toAbsolutePath(), c.home());
        assertEquals("127.0.0.1", c.http().bind());
        assertEquals(8080, c.http().port());
        assertTrue(c.database().embedded());
        assertFalse(c.ca().configured());
        assertTrue(c.policy().isEmpty());
        c.http().checkTransportSecurity();
    }

    @Test
    void environmentOverridesTheFile() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "secret");
        ServerConfig c = load("http:\n  port: 9000\ndatabase:\n  url: jdbc:postgresql://db/x\n  user: a\n",
                Map.of("KEYWARD_HTTP_PORT", "9443", "KEYWARD_DB_URL", "jdbc:postgresql://other/y",
                        "KEYWARD_DB_USER", "b", "KEYWARD_DB_PASSWORD_FILE", pw.toString()));
        assertEquals(9443, c.http().port());
        assertEquals("jdbc:postgresql://other/y", c.database().url().orElseThrow());
        assertEquals("b", c.database().user());
        assertEquals(pw, c.database().passwordFile().orElseThrow());
    }

    @Test
    void unknownKeysAreRefusedByName() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("http:\n  prot: 1\n", Map.of()));
        assertTrue(e.getMessage().contains("http.prot"), e.getMessage());
        ConfigException top = assertThrows(ConfigException.class, () -> load("databse: {}\n", Map.of()));
        assertTrue(top.getMessage().contains("databse"), top.getMessage());
    }

    @Test
    void consoleSessionLifetimesAreReadAndCheckedByName() throws Exception {
        ServerConfig c = load("console:\n  session_idle: 10m\n  session_max: 2h\n  overview_refresh: 5s\n", Map.of());
        assertEquals(java.time.Duration.ofMinutes(10), c.console().sessionIdle());
        assertEquals(java.time.Duration.ofHours(2), c.console().sessionMax());
        assertEquals(java.time.Duration.ofSeconds(5), c.console().overviewRefresh());
        assertEquals(ConsoleConfig.DEFAULTS, load("home: " + dir + "\n", Map.of()).console());
        for (String[] bad : new String[][] {{"console:\n  session_idle: 10s\n", "console.session_idle"},
                {"console:\n  session_idle: 2h\n  session_max: 1h\n", "console.session_max"},
                {"console:\n  session_max: 30d\n", "console.session_max"},
                {"console:\n  session_idel: 1h\n", "console.session_idel"},
                {"console:\n  session_max: soon\n", "console.session_max"},
                {"console:\n  overview_refresh: 0s\n", "console.overview_refresh"},
                {"console:\n  overview_refresh: 2h\n", "console.overview_refresh"}}) {
            ConfigException e = assertThrows(ConfigException.class, () -> load(bad[0], Map.of()));
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void consolePublicUrlIsAnOriginCheckedAtStartUp() throws Exception {
        assertEquals(java.util.Optional.empty(), load("home: " + dir + "\n", Map.of()).console().publicUrl());
        Map<String, String> good = Map.of(
                "https://keyward.example.com", "https://keyward.example.com",
                "HTTPS://Keyward.Example.COM:443/", "https://keyward.example.com",
                "http://10.0.0.5:8080", "http://10.0.0.5:8080",
                "https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443");
        for (Map.Entry<String, String> g : good.entrySet()) {
            assertEquals(java.util.Optional.of(g.getValue()), load("console:\n  public_url: \"" + g.getKey() + "\"\n",
                    Map.of()).console().publicUrl(), g.getKey());
        }
        for (String bad : new String[] {"keyward.example.com", "/console", "ftp://keyward.example.com",
                "https://keyward.example.com/console", "https://keyward.example.com/?a=1",
                "https://keyward.example.com#top", "https://user@keyward.example.com", "https://", "https:x",
                "https://keyward example.com", "[a, b]"}) {
            String yaml = bad.startsWith("[") ? "console:\n  public_url: " + bad + "\n"
                    : "console:\n  public_url: \"" + bad + "\"\n";
            ConfigException e = assertThrows(ConfigException.class, () -> load(yaml, Map.of()), bad);
            assertTrue(e.getMessage().contains("console.public_url"), e.getMessage());
        }
    }

    @Test
    void badValuesNameTheirKey() {
        assertTrue(assertThrows(ConfigException.class, () -> load("http:\n  port: 70000\n", Map.of()))
                .getMessage().contains("http.port"));
        assertTrue(assertThrows(ConfigException.class, () -> load("http:\n  port: eighty\n", Map.of()))
                .getMessage().contains("http.port"));
        assertTrue(assertThrows(ConfigException.class, () -> load("database:\n  url: mysql://x\n", Map.of()))
                .getMessage().contains("database.url"));
        assertTrue(assertThrows(ConfigException.class, () -> load("tokens:\n  max_ttl: 3x\n", Map.of()))
                .getMessage().contains("tokens.max_ttl"));
        assertTrue(assertThrows(ConfigException.class, () -> load("ca:\n  user_key: file:/a\n", Map.of()))
                .getMessage().contains("ca.host_key"));
        assertTrue(assertThrows(ConfigException.class, () -> load("ca:\n  algorithm: dsa\n", Map.of()))
                .getMessage().contains("ca.algorithm"));
        assertTrue(assertThrows(ConfigException.class, () -> load("database:\n  url: jdbc:postgresql://h/d\n"
                + "  user: u\n  password_file: /nonexistent/pw\n", Map.of())).getMessage().contains("database.password_file"));
        assertTrue(assertThrows(ConfigException.class, () -> load("http: [1]\n", Map.of())).getMessage().contains("http"));
        assertTrue(assertThrows(ConfigException.class, () -> load("http:\n  port: [\n", Map.of())).getMessage()
                .contains("not valid YAML"));
    }

    @Test
    void logFormatIsTextUnlessTheFileOrTheEnvironmentSaysJson() throws Exception {
        assertEquals(LogFormat.TEXT, load("http:\n  port: 9000\n", Map.of()).logFormat());
        assertEquals(LogFormat.JSON, load("log:\n  format: json\n", Map.of()).logFormat());
        assertEquals(LogFormat.TEXT, load("log:\n  format: json\n", Map.of("KEYWARD_LOG_FORMAT", "text")).logFormat());
        assertEquals(LogFormat.JSON, load("", Map.of("KEYWARD_LOG_FORMAT", "JSON")).logFormat());
        ConfigException bad = assertThrows(ConfigException.class, () -> load("log:\n  format: xml\n", Map.of()));
        assertEquals("log.format must be text or json, got 'xml'", bad.getMessage());
        ConfigException badEnv = assertThrows(ConfigException.class, () -> load("", Map.of("KEYWARD_LOG_FORMAT", "yes")));
        assertTrue(badEnv.getMessage().startsWith("KEYWARD_LOG_FORMAT"), badEnv.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> load("log:\n  level: debug\n", Map.of()));
        assertTrue(unknown.getMessage().contains("log.level"), unknown.getMessage());
    }

    /** Found by ServerConfigFuzzTest: a NUL in a path escaped as InvalidPathException instead of naming the key. */
    @Test
    void pathThatCannotBeAPathIsRefusedNamingTheKey() {
        Map<String, String> yamlToKey = Map.of("home: \"a\\0b\"\n", "home:",
                "database:\n  url: jdbc:postgresql://h/d\n  password_file: \"\\0\"\n", "database.password_file:",
                "http:\n  tls:\n    cert_file: \"c\\0\"\n    key_file: k\n", "http.tls.cert_file:");
        yamlToKey.forEach((yaml, key) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> load(yaml, Map.of()), yaml);
            assertTrue(e.getMessage().startsWith(key) && e.getMessage().contains("is not a file path"), e.getMessage());
        });
    }

    /** Found by ServerConfigFuzzTest: "rules:" without a value made loading the configuration throw an NPE. */
    @Test
    void policyKeyWithoutValueIsNamedByThePolicy() throws Exception {
        ServerConfig c = load("policy:\n  rules: #[]\n", Map.of());
        dev.keyward.ca.InvalidInputException e = assertThrows(dev.keyward.ca.InvalidInputException.class,
                () -> dev.keyward.ca.policy.IssuancePolicy.fromMap(c.policy()));
        assertTrue(e.getMessage().startsWith("policy.rules"), e.getMessage());
    }

    @Test
    void nonLoopbackBindNeedsTlsOrInsecureHttp() throws Exception {
        ServerConfig c = load("http:\n  bind: 0.0.0.0\n", Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> c.http().checkTransportSecurity());
        assertTrue(e.getMessage().contains("--insecure-http") && e.getMessage().contains("http.tls"), e.getMessage());
        c.http().withInsecureHttp(true).checkTransportSecurity();
    }

    @Test
    void policyAndTuningAreRead() throws Exception {
        ServerConfig c = load("policy:\n  rules: []\ntokens:\n  max_ttl: 90d\n  bootstrap_ttl: 1d\n"
                + "krl:\n  version_check_interval: 2s\n", Map.of());
        assertTrue(c.policy().containsKey("rules"));
        assertEquals(Duration.ofDays(90), c.tokens().maxTtl());
        assertEquals(Duration.ofDays(1), c.tokens().bootstrapTtl());
        assertEquals(Duration.ofSeconds(2), c.krl().versionCheckInterval());
    }

    @Test
    void signingThreadsAreAutoUnlessANumberFromOneTo256() throws Exception {
        assertEquals(Optional.empty(), new ConfigLoader(Map.of("KEYWARD_HOME", dir.toString())).load(Optional.empty())
                .ca().signingThreads());
        assertEquals(Optional.empty(), load("ca:\n  signing_threads: auto\n", Map.of()).ca().signingThreads());
        assertEquals(Optional.of(32), load("ca:\n  signing_threads: 32\n", Map.of()).ca().signingThreads());
        assertEquals(Optional.of(1), load("ca:\n  signing_threads: '1'\n", Map.of()).ca().signingThreads());
        assertEquals(Optional.of(256), load("ca:\n  signing_threads: 256\n", Map.of()).ca().signingThreads());
        for (String bad : new String[] {"0", "-4", "257", "1.5", "many", "true", "99999999999"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> load("ca:\n  signing_threads: " + bad + "\n", Map.of()), bad);
            assertTrue(e.getMessage().contains("ca.signing_threads must be auto or a whole number from 1 to 256"),
                    e.getMessage());
        }
        ConfigException list = assertThrows(ConfigException.class,
                () -> load("ca:\n  signing_threads: [4]\n", Map.of()));
        assertTrue(list.getMessage().contains("ca.signing_threads"), list.getMessage());
    }

    @Test
    void durationsParseTheUsualForms() {
        assertEquals(Duration.ofDays(30), Durations.parse("30d", "x"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m", "x"));
        assertEquals(Duration.ofHours(8), Durations.parse("PT8H", "x"));
        assertEquals("1h30m", Durations.format(Duration.ofMinutes(90)));
        for (String bad : new String[] {"", "0s", "h", "1x", "-1h", "1h 30m"}) {
            assertThrows(dev.keyward.ca.InvalidInputException.class, () -> Durations.parse(bad, "x"), bad);
        }
    }
    @Test
    void httpLimitsHaveSafeDefaultsAndEachCanBeTurnedOff() throws Exception {
        HttpLimits d = new ConfigLoader(Map.of("KEYWARD_HOME", dir.toString())).load(Optional.empty()).http().limits();
        assertEquals(HttpLimits.DEFAULTS, d);
        assertEquals(Optional.of(Duration.ofSeconds(10)), d.headerTimeout());
        assertEquals("20/s, burst 100", d.issuePerCaller().toString());
        HttpLimits off = load("""
                http:
                  limits:
                    header_timeout: off
                    body_timeout: 0
                    min_data_rate: 0
                    connections_per_source: off
                    issue_per_caller: off
                    issue_per_source: {rate: off}
                    enroll_per_source: 0
                    auth_failures_per_source: off
                """, Map.of()).http().limits();
        assertEquals(HttpLimits.OFF, off);
        HttpLimits some = load("""
                http:
                  limits:
                    header_timeout: 5s
                    trusted_proxies: [10.0.0.0/8, "2001:db8::/32", 192.0.2.7]
                    enroll_per_source: {rate: 30/m, burst: 5}
                    issue_per_caller: {burst: 7}
                """, Map.of()).http().limits();
        assertEquals(Optional.of(Duration.ofSeconds(5)), some.headerTimeout());
        assertEquals(3, some.trustedProxies().size());
        assertEquals("30/m, burst 5", some.enrollPerSource().toString());
        assertEquals("20/s, burst 7", some.issuePerCaller().toString());
    }

    @Test
    void badHttpLimitsAreRefusedNamingTheKey() {
        Map<String, String> bad = Map.of(
                "header_timeout: soon", "http.limits.header_timeout",
                "body_timeout: -5s", "http.limits.body_timeout",
                "min_data_rate: lots", "http.limits.min_data_rate",
                "connections_per_source: -1", "http.limits.connections_per_source",
                "trusted_proxies: [proxy.example.com]", "http.limits.trusted_proxies",
                "trusted_proxies: [10.0.0.0/33]", "http.limits.trusted_proxies",
                "issue_per_caller: {rate: fast}", "http.limits.issue_per_caller.rate",
                "issue_per_source: {rate: 10/s, burst: 0}", "http.limits.issue_per_source.burst",
                "enroll_per_source: 5", "http.limits.enroll_per_source",
                "auth_failures_per_source: {rate: 1/s, brust: 3}", "http.limits.auth_failures_per_source.brust");
        bad.forEach((yaml, key) -> {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> load("http:\n  limits:\n    " + yaml + "\n", Map.of()), yaml);
            assertTrue(e.getMessage().contains(key), yaml + " -> " + e.getMessage());
        });
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> load("http:\n  limits:\n    rate: 5\n", Map.of()));
        assertTrue(unknown.getMessage().contains("http.limits.rate"), unknown.getMessage());
    }

    @Test
    void auditCheckpointsHaveDefaultsAndCheckedValues() throws Exception {
        ServerConfig d = new ConfigLoader(Map.of("KEYWARD_HOME", dir.toString())).load(Optional.empty());
        assertEquals(Optional.empty(), d.audit().key());
        assertEquals(1000, d.audit().checkpointEvery());
        assertEquals(Duration.ofMinutes(10), d.audit().checkpointInterval());
        assertEquals(dir.resolve("audit-checkpoints.log"), d.audit().sinkFile().orElseThrow());
        assertEquals(Optional.empty(), d.audit().syslog());

        ServerConfig c = load("home: " + dir + "\naudit:\n  key: file:/etc/keyward/audit\n  checkpoint_every: 50\n"
                + "  checkpoint_interval: 90s\n  sink:\n    file: off\n    syslog: tcp://[2001:db8::1]:6514\n",
                Map.of());
        assertEquals("file:/etc/keyward/audit", c.audit().key().orElseThrow());
        assertEquals(50, c.audit().checkpointEvery());
        assertEquals(Duration.ofSeconds(90), c.audit().checkpointInterval());
        assertEquals(Optional.empty(), c.audit().sinkFile(), "an unquoted off is off");
        assertEquals("tcp://[2001:db8::1]:6514", c.audit().syslog().orElseThrow().toString());
        assertEquals("2001:db8::1", c.audit().syslog().orElseThrow().host());
        assertEquals("pkcs11:token=t;object=a", load("audit:\n  key: file:/x\n",
                Map.of("KEYWARD_AUDIT_KEY", "pkcs11:token=t;object=a")).audit().key().orElseThrow());
        assertEquals(dir.resolve("sub/cp.log"), load("home: " + dir + "\naudit:\n  sink:\n    file: sub/cp.log\n",
                Map.of()).audit().sinkFile().orElseThrow(), "relative to home");

        for (String[] bad : new String[][] {
                {"audit:\n  checkpoint_every: 0\n", "audit.checkpoint_every"},
                {"audit:\n  checkpoint_every: many\n", "audit.checkpoint_every"},
                {"audit:\n  checkpoint_interval: 0s\n", "audit.checkpoint_interval"},
                {"audit:\n  checkpoint_interval: 2d\n", "audit.checkpoint_interval"},
                {"audit:\n  sink:\n    syslog: syslog.example.com\n", "audit.sink.syslog"},
                {"audit:\n  sink:\n    syslog: udp://host\n", "audit.sink.syslog"},
                {"audit:\n  sink:\n    syslog: http://host:514\n", "audit.sink.syslog"},
                {"audit:\n  sink:\n    syslog: udp://host:514/x\n", "audit.sink.syslog"},
                {"audit:\n  sink:\n    file: " + dir + "\n", "audit.sink.file"},
                {"audit:\n  sink:\n    syslg: off\n", "audit.sink.syslg"},
                {"audit:\n  every: 5\n", "audit.every"}}) {
            ConfigException e = assertThrows(ConfigException.class, () -> load(bad[0], Map.of()), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
        }
        // a sink directory that does not exist is refused at start-up, naming the key
        ServerConfig missing = load("home: " + dir + "\naudit:\n  sink:\n    file: /nonexistent/dir/cp.log\n",
                Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> missing.audit().checkSinkDirectory(dir));
        assertTrue(e.getMessage().contains("audit.sink.file") && e.getMessage().contains("/nonexistent/dir"),
                e.getMessage());
    }
}
