package dev.keyward.cli.config;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * What the CLI takes from its surroundings: environment variables (HOME, SSH_AUTH_SOCK, KEYWARD_TOKEN), whether a
 * person is at a terminal, and the clock. Production uses the process's; tests pass their own, since a JVM
 * cannot change its own environment.
 */
public record CliEnv(Map<String, String> vars, boolean interactive, Clock clock) {
    /** The bearer credential when no {@code --token-file} is given. */
    public static final String TOKEN_ENV = "KEYWARD_TOKEN";

    public CliEnv {
        vars = Map.copyOf(vars);
    }

    public static CliEnv system() {
        return new CliEnv(System.getenv(), isTerminal(), Clock.systemUTC());
    }

    /**
     * Whether a person is at a terminal. From JDK 22 {@code System.console()} is non-null even with redirected
     * streams, and {@code Console.isTerminal()} (JDK 22+, looked up reflectively: we compile for 21) tells.
     */
    static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException jdk21) {
            return true; // before JDK 22 a console exists only for a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** Never the variables: they may hold {@value #TOKEN_ENV}. */
    @Override
    public String toString() {
        return "CliEnv[interactive=" + interactive + ", clock=" + clock + "]";
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(vars.get(name)).filter(v -> !v.isEmpty());
    }

    /** The user's home directory: {@code $HOME}, else the JVM's {@code user.home}. */
    public Path home() {
        return Path.of(get("HOME").orElse(System.getProperty("user.home")));
    }

    /** {@code ~/.config/keyward}: the config file and the pinned CA keys. */
    public Path configDir() {
        return home().resolve(".config/keyward");
    }
}
