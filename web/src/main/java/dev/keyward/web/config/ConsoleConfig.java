package dev.keyward.web.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The admin console ({@code console:}).
 *
 * @param sessionIdle {@code console.session_idle} (default 30m, 1m to 1d): a session unused this long ends
 * @param sessionMax  {@code console.session_max} (default 12h, at least session_idle, at most 7d): a session ends
 *                    this long after sign-in however busy it is (then the person signs in again)
 * @param publicUrl   {@code console.public_url} (optional): the origin browsers reach the console at, e.g.
 *                    {@code https://keyward.example.com} behind a TLS-terminating proxy, normalised (lower case, no
 *                    default port, no trailing slash); the OIDC redirect URI and the same-origin check use it
 *                    instead of the request's Host header
 * @param overviewRefresh {@code console.overview_refresh} (default 30s, 1s to 1h): how often each node counts the
 *                    overview's figures again in the background (a visit reads the newest count)
 */
public record ConsoleConfig(Duration sessionIdle, Duration sessionMax, Optional<String> publicUrl,
        Duration overviewRefresh) {
    static final Set<String> KEYS = Set.of("session_idle", "session_max", "public_url", "overview_refresh");
    static final Duration DEFAULT_OVERVIEW_REFRESH = Duration.ofSeconds(30);
    public static final ConsoleConfig DEFAULTS = new ConsoleConfig(Duration.ofMinutes(30), Duration.ofHours(12));

    public ConsoleConfig {
        if (sessionIdle.compareTo(Duration.ofMinutes(1)) < 0 || sessionIdle.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigException("console.session_idle must be between 1m and 1d, got "
                    + Durations.format(sessionIdle));
        }
        if (sessionMax.compareTo(sessionIdle) < 0 || sessionMax.compareTo(Duration.ofDays(7)) > 0) {
            throw new ConfigException("console.session_max must be at least console.session_idle ("
                    + Durations.format(sessionIdle) + ") and at most 7d, got " + Durations.format(sessionMax));
        }
        publicUrl = publicUrl.map(ConsoleConfig::origin);
        if (overviewRefresh.compareTo(Duration.ofSeconds(1)) < 0 || overviewRefresh.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException("console.overview_refresh must be between 1s and 1h, got "
                    + Durations.format(overviewRefresh));
        }
    }

    public ConsoleConfig(Duration sessionIdle, Duration sessionMax) {
        this(sessionIdle, sessionMax, Optional.empty());
    }

    public ConsoleConfig(Duration sessionIdle, Duration sessionMax, Optional<String> publicUrl) {
        this(sessionIdle, sessionMax, publicUrl, DEFAULT_OVERVIEW_REFRESH);
    }

    static ConsoleConfig parse(ConfigTree console) {
        console.checkKnown(KEYS);
        return new ConsoleConfig(console.duration("session_idle").orElse(DEFAULTS.sessionIdle()),
                console.duration("session_max").orElse(DEFAULTS.sessionMax()), console.string("public_url"),
                console.duration("overview_refresh").orElse(DEFAULT_OVERVIEW_REFRESH));
    }

    /**
     * {@code url} as an origin (RFC 6454 section 6.1: scheme, host and a port other than the scheme's default),
     * which is what browsers send in {@code Origin}; ConfigException naming the key unless it is an absolute http(s)
     * URL with a host and nothing after it but an optional "/".
     */
    static String origin(String url) {
        URI u;
        try {
            u = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw bad(url, "it is not a URL (" + e.getReason() + ")");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw bad(url, "it must start with https:// (or http://)");
        }
        if (u.isOpaque() || u.getHost() == null || u.getRawUserInfo() != null) {
            throw bad(url, "it must name a host, without user information");
        }
        if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/")) {
            throw bad(url, "it must not have a path: the console is served at the root of its origin");
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw bad(url, "it must not have a query or a fragment");
        }
        int port = u.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443)
                || (scheme.equals("http") && port == 80);
        return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    private static ConfigException bad(String url, String why) {
        return new ConfigException("console.public_url '" + url + "' is not accepted: " + why + ", e.g."
                + " https://keyward.example.com");
    }
}
