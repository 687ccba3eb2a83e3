package dev.keyward.agent.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The agent's settings, from {@code /etc/keyward/agent.conf} ({@code key = value} lines, {@code #} comments,
 * {@code break_glass} repeatable) with command-line flags layered on top. Validated when built: an error names
 * the key and what it accepts.
 *
 * @param server              base URL of the Keyward server ({@code https://ca.example.com}); empty until set
 * @param credentialFile      host credential written by {@code enroll} (mode 0600)
 * @param stateDir            the agent's own state: read positions, spool, last good state document
 * @param pollInterval        time between cycles of {@code run}
 * @param longPoll            how long the server may hold a state request open ({@code ?wait=}); zero disables
 * @param logSource           where sshd's log is read: {@code auto} (the default: the log file if there is one, else
 *                            the journal, else nothing; see {@code UsageSource}), {@code file} (follow
 *                            {@link #logFile}), {@code journal} (run {@link #journalCommand}) or {@code none}
 * @param logFile             sshd's log file; empty when not set: {@code auto} then looks for
 *                            {@code /var/log/auth.log} (Debian) and {@code /var/log/secure} (RHEL), {@code file}
 *                            follows {@code /var/log/auth.log}
 * @param journalCommand      command that prints journal entries as JSON lines, without {@code -f}
 * @param manageSshdConfig    write the {@code 50-keyward.conf} drop-in
 * @param sshd                the sshd binary, for {@code sshd -t}
 * @param sshdConfig          sshd's main config, checked with {@code sshd -t -f} before a reload
 * @param reloadCommand       how to make sshd re-read its config and host certificates
 * @param bulkPurgeThreshold  the share of an account's (or the host's) keys one cycle may remove without the
 *                            server marking the purge confirmed
 * @param breakGlass          fingerprints ({@code SHA256:...}) or public-key lines that are never removed
 * @param spoolMaxEvents      at most this many usage events wait on disk; newer ones are dropped and counted
 * @param usageBatch          events per usage POST
 * @param hostKeysGlob        the host public keys sent at enrollment and renewal
 * @param httpTimeout         connect and request timeout (the long-poll wait is added to requests)
 * @param allowEmptyTrustedUserCa install an empty list of trusted user CA keys over a non-empty one (which turns
 *                            certificate logins off on this host); refused otherwise
 * @param sshKeygen           the ssh-keygen binary, which signs credential-renewal challenges with a host key
 */
public record AgentConfig(
        String server,
        String credentialFile,
        String stateDir,
        Duration pollInterval,
        Duration longPoll,
        String logSource,
        String logFile,
        List<String> journalCommand,
        boolean manageSshdConfig,
        String sshd,
        String sshdConfig,
        List<String> reloadCommand,
        double bulkPurgeThreshold,
        List<String> breakGlass,
        int spoolMaxEvents,
        int usageBatch,
        String hostKeysGlob,
        Duration httpTimeout,
        boolean allowEmptyTrustedUserCa,
        String sshKeygen) {

    public static final Set<String> KEYS = Set.of("server", "credential_file", "state_dir", "poll_interval",
            "long_poll", "log_source", "log_file", "journal_command", "manage_sshd_config", "sshd", "sshd_config",
            "reload_command", "bulk_purge_threshold", "break_glass", "spool_max_events", "usage_batch", "host_keys",
            "http_timeout", "allow_empty_trusted_user_ca", "ssh_keygen");

    /** The agent's state directory and credential by default. */
    public static final String DEFAULT_STATE_DIR = "/var/lib/keyward-agent";
    public static final String DEFAULT_CREDENTIAL_FILE = DEFAULT_STATE_DIR + "/credential";
    /**
     * Where they were before the server's package took {@code /var/lib/keyward} for the server's state; hosts
     * enrolled then keep working there (see {@link #load(Path, boolean, Map, AgentPaths)}).
     */
    public static final String LEGACY_STATE_DIR = "/var/lib/keyward";
    public static final String LEGACY_CREDENTIAL_FILE = LEGACY_STATE_DIR + "/credential";

    /** The values of {@code log_source}. */
    public static final List<String> LOG_SOURCES = List.of("auto", "file", "journal", "none");

    public AgentConfig {
        journalCommand = List.copyOf(journalCommand);
        reloadCommand = List.copyOf(reloadCommand);
        breakGlass = List.copyOf(breakGlass);
    }

    /** Host paths inside the state directory. */
    public String statePath(String name) {
        return stateDir.endsWith("/") ? stateDir + name : stateDir + "/" + name;
    }

    public URI serverUri() {
        if (server.isEmpty()) {
            throw new ConfigException("server is not set: put 'server = https://...' in agent.conf or pass --server");
        }
        return URI.create(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
    }

    /**
     * Reads the config file (a missing file is fine only when {@code required} is false) and applies
     * {@code overrides} (same keys; a {@code break_glass} override adds to the file's list).
     */
    public static AgentConfig load(Path file, boolean required, Map<String, List<String>> overrides)
            throws IOException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        try {
            parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), values);
        } catch (NoSuchFileException e) {
            if (required) {
                throw new ConfigException("config file " + file + " does not exist");
            }
        }
        overrides.forEach((k, v) -> {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown override " + k);
            }
            if (k.equals("break_glass")) {
                values.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v);
            } else {
                values.put(k, new ArrayList<>(v));
            }
        });
        return fromValues(values);
    }

    /**
     * {@link #load(Path, boolean, Map)}, with the state of a host enrolled when it lived in
     * {@value #LEGACY_STATE_DIR}: when {@code credential_file} and {@code state_dir} are the defaults and there is
     * no credential at the default path but one at {@value #LEGACY_CREDENTIAL_FILE} (under {@code paths}' root),
     * both point into {@value #LEGACY_STATE_DIR}, where the agent's status, log position and spool are too.
     */
    public static AgentConfig load(Path file, boolean required, Map<String, List<String>> overrides, AgentPaths paths)
            throws IOException {
        AgentConfig c = load(file, required, overrides);
        if (c.credentialFile().equals(DEFAULT_CREDENTIAL_FILE) && c.stateDir().equals(DEFAULT_STATE_DIR)
                && !Files.exists(paths.resolve(DEFAULT_CREDENTIAL_FILE))
                && Files.exists(paths.resolve(LEGACY_CREDENTIAL_FILE))) {
            Map<String, List<String>> legacy = new LinkedHashMap<>(overrides);
            legacy.put("credential_file", List.of(LEGACY_CREDENTIAL_FILE));
            legacy.put("state_dir", List.of(LEGACY_STATE_DIR));
            return load(file, required, legacy);
        }
        return c;
    }

    public static AgentConfig defaults() {
        return fromValues(Map.of());
    }

    static void parse(String text, String source, Map<String, List<String>> into) {
        int n = 0;
        for (String raw : text.split("\n", -1)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(source + ":" + n + ": expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT).replace('-', '_');
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw new ConfigException(source + ":" + n + ": unknown key '" + key + "'; known keys: "
                        + String.join(", ", KEYS.stream().sorted().toList()));
            }
            List<String> list = into.computeIfAbsent(key, k -> new ArrayList<>());
            if (!key.equals("break_glass")) {
                list.clear();
            }
            list.add(value);
        }
    }

    private static AgentConfig fromValues(Map<String, List<String>> v) {
        String logSource = one(v, "log_source", "auto");
        if (!LOG_SOURCES.contains(logSource)) {
            throw new ConfigException("log_source must be one of auto, file, journal, none; got '" + logSource + "'");
        }
        double threshold = parseDouble(v, "bulk_purge_threshold", 0.5);
        if (!(threshold > 0 && threshold <= 1)) {
            throw new ConfigException("bulk_purge_threshold must be a share in (0, 1], e.g. 0.5; got " + threshold);
        }
        String server = one(v, "server", "");
        if (!server.isEmpty() && !server.startsWith("https://") && !server.startsWith("http://")) {
            throw new ConfigException("server must be an http(s) URL, got '" + server + "'");
        }
        return new AgentConfig(
                server,
                absolute(v, "credential_file", DEFAULT_CREDENTIAL_FILE),
                absolute(v, "state_dir", DEFAULT_STATE_DIR),
                seconds(v, "poll_interval", 60, 1),
                seconds(v, "long_poll", 30, 0),
                logSource,
                one(v, "log_file", "").isEmpty() ? "" : absolute(v, "log_file", ""),
                words(one(v, "journal_command",
                        "journalctl -o json --no-pager -t sshd -t sshd-session")),
                bool(v, "manage_sshd_config", false),
                absoluteRaw(v, "sshd", "/usr/sbin/sshd"),
                absolute(v, "sshd_config", "/etc/ssh/sshd_config"),
                words(one(v, "reload_command", "systemctl reload ssh")),
                threshold,
                v.getOrDefault("break_glass", List.of()).stream().map(String::strip).filter(s -> !s.isEmpty())
                        .toList(),
                positiveInt(v, "spool_max_events", 100_000),
                positiveInt(v, "usage_batch", 500),
                absolute(v, "host_keys", "/etc/ssh/ssh_host_*_key.pub"),
                seconds(v, "http_timeout", 10, 1),
                bool(v, "allow_empty_trusted_user_ca", false),
                absoluteRaw(v, "ssh_keygen", "/usr/bin/ssh-keygen"));
    }

    private static String one(Map<String, List<String>> v, String key, String dflt) {
        List<String> l = v.get(key);
        return l == null || l.isEmpty() ? dflt : l.get(l.size() - 1);
    }

    private static String absolute(Map<String, List<String>> v, String key, String dflt) {
        String s = one(v, key, dflt);
        if (!s.startsWith("/")) {
            throw new ConfigException(key + " must be an absolute path, got '" + s + "'");
        }
        return s;
    }

    private static String absoluteRaw(Map<String, List<String>> v, String key, String dflt) {
        return absolute(v, key, dflt);
    }

    private static boolean bool(Map<String, List<String>> v, String key, boolean dflt) {
        String s = one(v, key, Boolean.toString(dflt)).toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException(key + " must be true or false, got '" + s + "'");
        };
    }

    private static Duration seconds(Map<String, List<String>> v, String key, long dflt, long min) {
        String s = one(v, key, Long.toString(dflt));
        try {
            String digits = s.endsWith("s") ? s.substring(0, s.length() - 1) : s;
            long n = Long.parseLong(digits.strip());
            if (n < min || n > 86_400) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(n);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a number of seconds between " + min + " and 86400, got '"
                    + s + "'");
        }
    }

    private static int positiveInt(Map<String, List<String>> v, String key, int dflt) {
        String s = one(v, key, Integer.toString(dflt));
        try {
            int n = Integer.parseInt(s.strip());
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a positive integer, got '" + s + "'");
        }
    }

    private static double parseDouble(Map<String, List<String>> v, String key, double dflt) {
        String s = one(v, key, Double.toString(dflt)).strip();
        try {
            return s.endsWith("%") ? Double.parseDouble(s.substring(0, s.length() - 1)) / 100
                    : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a number like 0.5 or 50%, got '" + s + "'");
        }
    }

    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.strip().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }
}
