package dev.keyward.web.cli;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.SignerException;
import dev.keyward.web.backup.BackupException;
import dev.keyward.web.KeywardServer;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.config.ConfigLoader;
import dev.keyward.web.config.LogFormat;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.DatabaseUnavailableException;
import dev.keyward.web.logging.LogOutput;
import dev.keyward.web.service.ConflictException;
import dev.keyward.web.service.NotFoundException;
import dev.keyward.web.service.ServiceUnavailableException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyward-server}: the CA server and its admin commands. */
@Command(name = "keyward-server", mixinStandardHelpOptions = true, versionProvider = KeywardServerCli.Version.class,
        description = "Keyward SSH certificate authority server.",
        subcommands = {ServeCommand.class, MigrateCommand.class, TokenCommand.class, AuditCommand.class,
            BackupCommand.class, RestoreCommand.class, CaCommand.class, ReportCommand.class,
            ServiceAccountCommand.class})
public final class KeywardServerCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        configureLogging(args.length > 0 && args[0].equals("serve"));
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 ok, 1 failure, 2 bad usage or configuration). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new KeywardServerCli());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (e instanceof ConfigException || e instanceof InvalidInputException) {
                err.println("keyward-server: " + e.getMessage());
                return 2;
            }
            if (e instanceof DatabaseUnavailableException || e instanceof BackupException
                    || e instanceof ConflictException || e instanceof NotFoundException
                    || e instanceof ServiceUnavailableException || e instanceof SignerException) {
                err.println("keyward-server: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every subcommand takes. */
    static final class ConfigOption {
        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: embedded"
                + " defaults under $KEYWARD_HOME; KEYWARD_* environment variables override the file)")
        Path config;

        @Option(names = "--log-format", paramLabel = "FORMAT", converter = LogFormatConverter.class,
                description = "text (default) or json: one JSON object per line, with the request's X-Request-Id"
                        + " (overrides log.format and KEYWARD_LOG_FORMAT)")
        LogFormat logFormat;

        /** The configuration; the log format it names (or --log-format) is in force from here on. */
        ServerConfig load() {
            ServerConfig cfg = ConfigLoader.fromEnvironment().load(Optional.ofNullable(config));
            LogOutput.use(logFormat != null ? logFormat : cfg.logFormat());
            return cfg;
        }
    }

    static final class LogFormatConverter implements CommandLine.ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            try {
                return LogFormat.parse("--log-format", value);
            } catch (ConfigException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static void configureLogging(boolean serve) {
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", serve ? "info" : "warn");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        setDefault("org.slf4j.simpleLogger.log.io.javalin", "warn");
        setDefault("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "warn");
        setDefault("org.slf4j.simpleLogger.log.org.flywaydb", "warn");
        setDefault("org.slf4j.simpleLogger.log.io.zonky", "warn");
        // jOOQ warns that PostgreSQL 17 is newer than its open-source dialect: harmless, and noisy
        setDefault("org.slf4j.simpleLogger.log.org.jooq", "error");
        setDefault("org.jooq.no-logo", "true");
        setDefault("org.jooq.no-tips", "true");
        setDefault("org.slf4j.simpleLogger.log.org.apache.sshd", "warn");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"keyward-server " + KeywardServer.VERSION};
        }
    }
}
