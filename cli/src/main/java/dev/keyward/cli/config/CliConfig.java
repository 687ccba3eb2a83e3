package dev.keyward.cli.config;

import dev.keyward.ca.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ~/.config/keyward/config}: {@code key = value} lines, {@code #} comments. Keys: {@code server} (base
 * URL), {@code key} (private key path; {@code ~/} is the home directory), {@code token_file}, {@code hosts} (the
 * host patterns {@code keyward ssh-config} sets ssh up for). Every key is optional and flags override it. Unknown
 * keys and repeated keys are refused with the line number.
 */
public record CliConfig(Optional<String> server, Optional<Path> key, Optional<Path> tokenFile,
        Optional<String> hosts) {
    static final Set<String> KEYS = Set.of("server", "key", "token_file", "hosts");
    private static final long MAX_BYTES = 64 * 1024;

    public static CliConfig empty() {
        return new CliConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Reads {@code file}; a missing file is an empty configuration. */
    public static CliConfig load(Path file, Path home) {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new InvalidInputException("config file " + file + " is larger than 64 KiB");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return empty();
        } catch (IOException e) {
            throw new InvalidInputException("cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString(), home);
    }

    static CliConfig parse(String text, String source, Path home) {
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String where = source + " line " + (i + 1);
            if (eq <= 0) {
                throw new InvalidInputException(where + ": expected 'key = value'");
            }
            String k = line.substring(0, eq).strip();
            String v = line.substring(eq + 1).strip();
            if (!KEYS.contains(k)) {
                throw new InvalidInputException(where + ": unknown key '" + k + "' (known: server, key, token_file,"
                        + " hosts)");
            }
            if (v.isEmpty()) {
                throw new InvalidInputException(where + ": '" + k + "' needs a value");
            }
            if (values.putIfAbsent(k, v) != null) {
                throw new InvalidInputException(where + ": '" + k + "' is set twice");
            }
        }
        return new CliConfig(Optional.ofNullable(values.get("server")),
                Optional.ofNullable(values.get("key")).map(p -> expandHome(p, home)),
                Optional.ofNullable(values.get("token_file")).map(p -> expandHome(p, home)),
                Optional.ofNullable(values.get("hosts")));
    }

    /** {@code ~/x} is {@code home/x}; other paths as given. */
    public static Path expandHome(String path, Path home) {
        if (path.equals("~")) {
            return home;
        }
        return path.startsWith("~/") ? home.resolve(path.substring(2)) : Path.of(path);
    }
}
