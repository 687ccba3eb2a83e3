package dev.keyward.web.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An address block written as {@code 10.0.0.0/8}, {@code 2001:db8::/32} or one address ({@code 192.0.2.7}).
 * IPv4 and IPv6 blocks never match each other's addresses (an IPv4-mapped IPv6 address is compared as IPv4,
 * as Java reports such a peer).
 */
public record Cidr(byte[] network, int bits) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    public Cidr {
        network = network.clone();
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    /** Parses {@code text}; {@code key} names the configuration key in the error. */
    public static Cidr parse(String key, String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        InetAddress a = literal(addr);
        if (a == null) {
            throw bad(key, text);
        }
        byte[] bytes = a.getAddress();
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw bad(key, text);
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw bad(key, text);
            }
        }
        return new Cidr(mask(bytes, bits), bits);
    }

    /**
     * {@code text} as an address if it is an IPv4 or IPv6 literal, else null. Never a DNS look-up: a host name
     * would be resolved at start-up and could change, and a name a client wrote must not make the server ask DNS.
     */
    public static InetAddress literal(String text) {
        try {
            if (IPV4.matcher(text).matches()) {
                // built from its bytes: InetAddress.getByName takes "410.0.0.0" for a host name and asks DNS, and
                // refuses "010.0.0.1" (ambiguous: octal to inet_aton) with an IllegalArgumentException
                String[] parts = text.split("\\.");
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(parts[i]);
                    if (v > 255 || parts[i].length() > 1 && parts[i].charAt(0) == '0') {
                        return null;
                    }
                    b[i] = (byte) v;
                }
                return InetAddress.getByAddress(b);
            }
            // with a colon and a hex digit or colon first, getByName parses an IPv6 literal or refuses it, never asks DNS
            if (!IPV6.matcher(text).matches() || Character.digit(text.charAt(0), 16) < 0 && text.charAt(0) != ':') {
                return null;
            }
            return InetAddress.getByName(text);
        } catch (UnknownHostException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }

    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == network.length && Arrays.equals(mask(b, bits), network);
    }

    /** {@code bytes} with every bit after the first {@code bits} cleared. */
    public static byte[] mask(byte[] bytes, int bits) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    private static ConfigException bad(String key, String text) {
        String shown = text.replaceAll("\\p{Cntrl}", "?");
        return new ConfigException(key + ": '" + (shown.length() > 60 ? shown.substring(0, 60) + "..." : shown)
                + "' is not an IP address or CIDR block such as 10.0.0.0/8 or 2001:db8::/32");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.bits == bits && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + bits;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
