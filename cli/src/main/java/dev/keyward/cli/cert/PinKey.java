package dev.keyward.cli.cert;

import dev.keyward.cli.config.ServerUrl;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The server a CA pin belongs to, as {@code scheme://host:port}: what names one server, whatever the spelling of its
 * URL. Scheme and host in lower case, the default port made explicit (https 443, http 80), trailing dots of the host
 * and any path, query or fragment dropped, an IPv6 literal in brackets in one fixed form. Every loopback spelling
 * ({@code localhost}, {@code 127.0.0.0/8} and {@code ::1} as literals; names are not resolved) is the one host
 * {@code localhost}: it is this machine whichever way it is written. Pin files of older versions, keyed by the URL
 * string, are read through the same rule, so their pins still apply.
 */
public final class PinKey {
    private PinKey() {
    }

    public static String of(URI server) {
        return of(server.toString());
    }

    public static String of(String url) {
        URI u = ServerUrl.httpUrl(url);
        String scheme = ServerUrl.scheme(u);
        int port = u.getPort() != -1 ? u.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + host(u.getHost()) + ":" + port;
    }

    private static String host(String given) {
        String h = given.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (ServerUrl.isLoopback(h)) {
            return "localhost";
        }
        if (!h.contains(":")) {
            return h;
        }
        try {
            // a literal (the URI parser checked it), so no lookup; one text for every spelling of the address
            InetAddress a = InetAddress.getByName(h);
            return a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        } catch (UnknownHostException e) {
            return "[" + h + "]"; // a zone the JDK does not take (fe80::1%25eth0): as written, in lower case
        }
    }
}
