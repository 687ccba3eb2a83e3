package dev.keyward.web.http.limits;

import dev.keyward.web.config.Cidr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client address that per-source limits count against.
 *
 * <p>It is the TCP peer, unless the peer is one of {@code http.limits.trusted_proxies}: then {@code X-Forwarded-For}
 * is read from the right (the entry the nearest proxy appended) and the first address that is not itself a trusted
 * proxy is the client. Entries left of it were written by the client or by untrusted hops and are never used, so
 * a client cannot choose its own address by sending the header. Without trusted proxies the header is ignored.
 *
 * <p>An IPv6 client counts as its /64: one host usually holds a whole /64, and counting single addresses would give
 * it 2^64 separate budgets.
 */
public final class ClientAddress {
    private final List<Cidr> trustedProxies;

    public ClientAddress(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /**
     * @param peer         the TCP peer's address as the servlet layer gives it
     * @param forwardedFor every {@code X-Forwarded-For} header value, in order
     * @return the key of the client address (see {@link #key(InetAddress)})
     */
    public String resolve(String peer, List<String> forwardedFor) {
        if (trustedProxies.isEmpty() && peer != null && peer.indexOf(':') < 0) {
            return peer; // an IPv4 peer as Jetty prints it (dotted decimal) is its own key: no parsing per request
        }
        InetAddress client = parse(peer);
        if (client == null) {
            return peer; // not an address (a Unix socket, say): count it as it is
        }
        if (trustedProxies.isEmpty() || !trusted(client)) {
            return key(client);
        }
        for (int h = forwardedFor.size() - 1; h >= 0; h--) {
            String[] hops = forwardedFor.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                InetAddress hop = parse(hops[i]);
                if (hop == null) {
                    return key(client); // garbage: the last trusted hop is all that is known
                }
                client = hop;
                if (!trusted(hop)) {
                    return key(hop);
                }
            }
        }
        return key(client);
    }

    private boolean trusted(InetAddress a) {
        for (Cidr c : trustedProxies) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** An IPv4 address as it is; an IPv6 address as its /64 ({@code 2001:db8:1:2:0:0:0:0/64}). */
    public static String key(InetAddress a) {
        if (a instanceof Inet6Address) {
            try {
                return InetAddress.getByAddress(Cidr.mask(a.getAddress(), 64)).getHostAddress() + "/64";
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return a.getHostAddress();
    }

    /** An address literal ({@code 192.0.2.1}, {@code 2001:db8::1}, {@code [2001:db8::1]}, {@code 192.0.2.1:4711}), or null. */
    static InetAddress parse(String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                return null;
            }
            s = s.substring(1, end);
        } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':') && s.indexOf('.') > 0) {
            s = s.substring(0, s.indexOf(':')); // IPv4 with a port, as some proxies write it
        }
        return s.length() > 45 ? null : Cidr.literal(s);
    }
}
