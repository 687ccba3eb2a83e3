package dev.keyward.web.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Audit checkpoints: the audit key, how often the chain's head is signed, and the sinks outside the database that
 * receive each checkpoint.
 *
 * @param key                {@code audit.key}: {@code pkcs11:...} or {@code file:...} reference of the audit key;
 *                           empty: the server creates one on first start beside the CA keys it creates
 * @param checkpointEvery    {@code audit.checkpoint_every}: a checkpoint once the chain is this many entries past
 *                           the last one (default 1000)
 * @param checkpointInterval {@code audit.checkpoint_interval}: and at least this often while there are new
 *                           entries (default 10m)
 * @param sinkFile           {@code audit.sink.file}: the append-only file each checkpoint is written to (default
 *                           {@code $KEYWARD_HOME/audit-checkpoints.log}; {@code off}: none)
 * @param syslog             {@code audit.sink.syslog}: a syslog collector each checkpoint is sent to
 *                           ({@code udp://HOST:PORT} or {@code tcp://HOST:PORT}; default {@code off})
 */
public record AuditConfig(Optional<String> key, int checkpointEvery, Duration checkpointInterval,
        Optional<Path> sinkFile, Optional<Syslog> syslog) {
    public static final int DEFAULT_EVERY = 1000;
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);
    static final String DEFAULT_FILE = "audit-checkpoints.log";

    /** A syslog collector: RFC 5424 messages over UDP (RFC 5426) or TCP with octet counting (RFC 6587). */
    public record Syslog(String transport, String host, int port) {
        /** Parses {@code udp://HOST:PORT} or {@code tcp://HOST:PORT} ({@code [v6]} for IPv6 addresses). */
        static Syslog parse(String key, String text) {
            String usage = key + " must be off, udp://HOST:PORT or tcp://HOST:PORT, got '" + text + "'";
            URI u;
            try {
                u = new URI(text);
            } catch (URISyntaxException e) {
                throw new ConfigException(usage);
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("udp") || scheme.equals("tcp")) || u.getHost() == null || u.getPort() < 1
                    || u.getPort() > 65535 || (u.getPath() != null && !u.getPath().isEmpty()) || u.getQuery() != null
                    || u.getUserInfo() != null || u.getFragment() != null) {
                throw new ConfigException(usage);
            }
            String host = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1) : u.getHost();
            return new Syslog(scheme, host, u.getPort());
        }

        @Override
        public String toString() {
            return transport + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public AuditConfig {
        if (checkpointEvery < 1 || checkpointEvery > 10_000_000) {
            throw new ConfigException("audit.checkpoint_every must be between 1 and 10000000 entries, got "
                    + checkpointEvery);
        }
        if (checkpointInterval.compareTo(Duration.ofSeconds(1)) < 0
                || checkpointInterval.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigException("audit.checkpoint_interval must be between 1s and 1d, got "
                    + Durations.format(checkpointInterval));
        }
        if (sinkFile.isPresent() && Files.isDirectory(sinkFile.get())) {
            throw new ConfigException("audit.sink.file " + sinkFile.get() + " is a directory; name a file in it");
        }
    }

    /**
     * At start-up: the sink file's directory must exist (a sink that cannot work from the start is a configuration
     * error, not a retry); {@code home}, the default's directory, is created (0700) if need be.
     */
    public void checkSinkDirectory(Path home) {
        if (sinkFile.isPresent()) {
            Path dir = sinkFile.get().toAbsolutePath().getParent();
            if (dir.equals(home.toAbsolutePath()) && !Files.exists(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } catch (IOException e) {
                    throw new ConfigException("cannot create " + dir + " for audit.sink.file: " + e.getMessage(), e);
                }
            }
            if (!Files.isDirectory(dir)) {
                throw new ConfigException("audit.sink.file " + sinkFile.get() + ": the directory " + dir + " does not"
                        + " exist; create it, or set audit.sink.file to off");
            }
        }
    }

    /** The defaults for {@code home}: a created key, 1000 entries, 10 minutes, the file under home, no syslog. */
    public static AuditConfig defaults(Path home) {
        return new AuditConfig(Optional.empty(), DEFAULT_EVERY, DEFAULT_INTERVAL,
                Optional.of(home.resolve(DEFAULT_FILE)), Optional.empty());
    }

    /** {@code off}; YAML 1.1 reads an unquoted {@code off} as the boolean false. */
    private static boolean off(String value) {
        return value.equals("off") || value.equals("false");
    }

    /** Parses the {@code audit:} section; {@code envKey} ({@code KEYWARD_AUDIT_KEY}) wins over {@code audit.key}. */
    static AuditConfig parse(ConfigTree audit, Path home, Optional<String> envKey) {
        audit.checkKnown(java.util.Set.of("key", "checkpoint_every", "checkpoint_interval", "sink"));
        ConfigTree sink = audit.section("sink");
        sink.checkKnown(java.util.Set.of("file", "syslog"));
        Optional<String> fileText = sink.string("file");
        Optional<Path> file = fileText.isEmpty() ? Optional.of(home.resolve(DEFAULT_FILE))
                : off(fileText.get()) ? Optional.empty() : Optional.of(home.resolve(fileText.get()).normalize());
        Optional<Syslog> syslog = sink.string("syslog").filter(s -> !off(s))
                .map(s -> Syslog.parse("audit.sink.syslog", s));
        return new AuditConfig(envKey.or(() -> audit.string("key")),
                audit.integer("checkpoint_every").orElse(DEFAULT_EVERY),
                audit.duration("checkpoint_interval").orElse(DEFAULT_INTERVAL), file, syslog);
    }
}
