package dev.keyward.cli.config;

import dev.keyward.ca.InvalidInputException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The server's base URL. It carries the engineer's bearer credential, so it must be {@code https://}; plain
 * {@code http://} is accepted for a loopback host (a server on this machine, tests) or with
 * {@code --insecure-http}.
 */
public final class ServerUrl {
    private ServerUrl() {
    }

    /** The server from {@code flag}, else the config's {@code server}; a message naming both when neither is set. */
    public static URI resolve(java.util.Optional<String> flag, CliConfig cfg, CliEnv env, boolean insecureHttp) {
        return parse(flag.or(cfg::server).orElseThrow(() -> new InvalidInputException("no server: pass --server"
                + " https://... or put 'server = https://...' in " + env.configDir().resolve("config"))), insecureHttp);
    }

    public static URI parse(String text, boolean insecureHttp) {
        URI u = httpUrl(text);
        String scheme = scheme(u);
        if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new InvalidInputException("server URL '" + text + "' must be only scheme, host, port and path"
                    + " (no user, query or fragment)");
        }
        if (scheme.equals("http") && !insecureHttp && !isLoopback(u.getHost())) {
            throw new InvalidInputException("server URL '" + text + "' is plain http to a remote host: the token"
                    + " would cross the network readable; use https:// (or --insecure-http if you must)");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(scheme + "://" + u.getRawAuthority() + path);
    }

    /** An {@code https://} or {@code http://} URL with a host and a usable port, else a message naming it. */
    public static URI httpUrl(String text) {
        URI u;
        try {
            u = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new InvalidInputException("server URL '" + text + "' is not a URL: " + e.getReason());
        }
        String scheme = scheme(u);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new InvalidInputException("server URL '" + text + "' must start with https://");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new InvalidInputException("server URL '" + text + "' has no host");
        }
        if (u.getPort() == 0 || u.getPort() > 65535) {
            throw new InvalidInputException("server URL '" + text + "' has port " + u.getPort() + " (1 to 65535)");
        }
        return u;
    }

    /** The scheme in lower case; empty when there is none. */
    public static String scheme(URI u) {
        return u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    }

    /** Loopback by name ({@code localhost}) or by literal address; names are not resolved. */
    public static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false; // a DNS name: resolving it would let DNS decide whether the token goes out in clear
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
