package dev.keyward.ca.cert;

/**
 * Numeric address text read the way glibc's {@code getaddrinfo(AI_NUMERICHOST)} reads it for sshd: IPv4 with
 * {@code inet_aton} semantics (exact: nothing may follow), IPv6 with {@code inet_pton}. {@link java.net.InetAddress}
 * is no substitute: it turns IPv4-mapped IPv6 addresses into IPv4 ones and reads {@code 010} as decimal.
 */
final class InetText {
    private static final long[] MAX_LAST_PART = {0xffffffffL, 0xffffffL, 0xffffL, 0xffL};

    private InetText() {
    }

    /**
     * glibc {@code inet_aton}: one to four parts separated by dots, each decimal, octal (leading {@code 0}) or hex
     * ({@code 0x}); every part but the last is one byte, the last fills the remaining bytes ({@code a.b} is a.0.0.b).
     * A value above 2^32-1 is refused, as glibc refuses it. Returns the 4 bytes, or null.
     */
    static byte[] ipv4Aton(String s) {
        int n = s.length();
        int i = 0;
        long[] parts = new long[3];
        int dots = 0;
        long val;
        while (true) {
            if (i >= n || !isDigit(s.charAt(i))) {
                return null;
            }
            int base = 10;
            if (s.charAt(i) == '0') {
                i++;
                if (i < n && (s.charAt(i) == 'x' || s.charAt(i) == 'X')) {
                    base = 16;
                    i++;
                    if (i >= n || Character.digit(s.charAt(i), 16) < 0) {
                        return null; // "0x" without digits
                    }
                } else {
                    base = 8;
                }
            }
            val = 0;
            while (i < n) {
                char c = s.charAt(i);
                int d = c < 128 ? Character.digit(c, base == 16 ? 16 : 10) : -1;
                if (d < 0) {
                    break;
                }
                if (base == 8 && d > 7) {
                    return null;
                }
                val = val * base + d;
                if (val > 0xffffffffL) {
                    return null;
                }
                i++;
            }
            if (i < n && s.charAt(i) == '.') {
                if (dots > 2 || val > 0xff) {
                    return null;
                }
                parts[dots++] = val;
                i++;
                continue;
            }
            break;
        }
        if (i != n || val > MAX_LAST_PART[dots]) {
            return null;
        }
        long word = val;
        for (int p = 0; p < dots; p++) {
            word |= parts[p] << (24 - 8 * p);
        }
        return new byte[] {(byte) (word >>> 24), (byte) (word >>> 16), (byte) (word >>> 8), (byte) word};
    }

    /**
     * The reading a person means by IPv4 text: one to four decimal parts of at most 255, left-aligned and zero-filled
     * ({@code 10.0} is 10.0.0.0, {@code 010} is 10). Returns the 4 bytes, or null.
     */
    static byte[] ipv4DottedDecimal(String s) {
        if (!s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){0,3}")) {
            return null;
        }
        byte[] out = new byte[4];
        String[] parts = s.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /**
     * glibc {@code inet_pton6}: up to eight groups of one to four hex digits, at most one {@code ::} (which may stand
     * for a single group), and an optional trailing dotted quad read by the strict {@code inet_pton4}. Returns the
     * 16 bytes, or null.
     */
    static byte[] ipv6Pton(String s) {
        byte[] tmp = new byte[16];
        int tp = 0;
        int colonp = -1;
        int n = s.length();
        int i = 0;
        if (n == 0) {
            return null;
        }
        if (s.charAt(0) == ':') { // a leading colon must be the start of "::"
            i++;
            if (i >= n || s.charAt(i) != ':') {
                return null;
            }
        }
        int curtok = i;
        int xdigits = 0;
        int val = 0;
        while (i < n) {
            char ch = s.charAt(i++);
            int digit = ch < 128 ? Character.digit(ch, 16) : -1;
            if (digit >= 0) {
                if (xdigits == 4) {
                    return null;
                }
                val = (val << 4) | digit;
                xdigits++;
                continue;
            }
            if (ch == ':') {
                curtok = i;
                if (xdigits == 0) {
                    if (colonp >= 0) {
                        return null;
                    }
                    colonp = tp;
                    continue;
                } else if (i == n) {
                    return null; // a single trailing colon
                }
                if (tp + 2 > 16) {
                    return null;
                }
                tmp[tp++] = (byte) (val >> 8);
                tmp[tp++] = (byte) val;
                xdigits = 0;
                val = 0;
                continue;
            }
            if (ch == '.' && tp + 4 <= 16) {
                byte[] v4 = ipv4Pton(s.substring(curtok));
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, tmp, tp, 4);
                tp += 4;
                xdigits = 0;
                i = n;
                break;
            }
            return null;
        }
        if (xdigits > 0) {
            if (tp + 2 > 16) {
                return null;
            }
            tmp[tp++] = (byte) (val >> 8);
            tmp[tp++] = (byte) val;
        }
        if (colonp >= 0) {
            if (tp == 16) {
                return null; // "::" would stand for no group at all
            }
            int moved = tp - colonp;
            System.arraycopy(tmp, colonp, tmp, 16 - moved, moved);
            java.util.Arrays.fill(tmp, colonp, 16 - moved, (byte) 0);
            tp = 16;
        }
        return tp == 16 ? tmp : null;
    }

    /** glibc {@code inet_pton4}: exactly four decimal parts, each at most 255, no leading zeros. */
    private static byte[] ipv4Pton(String s) {
        byte[] out = new byte[4];
        int octets = 0;
        boolean sawDigit = false;
        int cur = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch >= '0' && ch <= '9') {
                if (sawDigit && cur == 0) {
                    return null;
                }
                cur = cur * 10 + (ch - '0');
                if (cur > 255) {
                    return null;
                }
                if (!sawDigit) {
                    if (++octets > 4) {
                        return null;
                    }
                    sawDigit = true;
                }
                out[octets - 1] = (byte) cur;
            } else if (ch == '.' && sawDigit) {
                if (octets == 4) {
                    return null;
                }
                cur = 0;
                sawDigit = false;
            } else {
                return null;
            }
        }
        return octets < 4 ? null : out;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
