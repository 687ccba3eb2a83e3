package dev.keyward.agent.usage;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * Parses the lines {@link LogScanner} found, straight from the bytes. Shapes (OpenSSH 8.x to 10.x, INFO level;
 * see facts.md):
 * <pre>
 *   [PREFIX] Accepted publickey for USER from IP port N ssh2: TYPE SHA256:FP
 *   [PREFIX] Accepted publickey for USER from IP port N ssh2: TYPE-CERT SHA256:FP ID KEYID (serial N) CA TYPE SHA256:CAFP
 *   [PREFIX] Failed publickey for ... (same tail)
 *   [PREFIX] Authentication key TYPE SHA256:FP revoked by file F
 *   [PREFIX] Certificate invalid: REASON
 * </pre>
 * where PREFIX is {@code MMM dd HH:MM:SS host PROG[PID]: } or {@code RFC3339 host PROG[PID]: } with PROG
 * {@code sshd}, {@code sshd-session} (9.8+) or {@code sshd-auth}; {@code sshd -E} lines and journald messages
 * have no prefix. Lines of other programs are ignored: a user's {@code logger "Accepted publickey for root ..."}
 * must not become a login. Only the fields an event needs become Strings; the last timestamp is cached, as
 * consecutive lines mostly share it. Not thread-safe (one per reader).
 */
public final class SshdMessage {
    private static final byte[][] MONTHS = new byte[12][];
    private static final byte[] ACCEPTED = ascii("Accepted publickey for ");
    private static final byte[] FAILED = ascii("Failed publickey for ");
    private static final byte[] CERT_INVALID = ascii("Certificate invalid: ");
    private static final byte[] AUTH_KEY = ascii("Authentication key ");
    private static final byte[] REVOKED_BY = ascii(" revoked by file ");
    private static final byte[] FROM = ascii("from");
    private static final byte[] PORT = ascii("port");
    private static final byte[] SSH2 = ascii("ssh2:");
    private static final byte[] SHA256 = ascii("SHA256:");
    private static final byte[] ID = ascii("ID ");
    private static final byte[] SERIAL = ascii(" (serial ");
    private static final byte[] CA = ascii("CA ");
    private static final byte[] CERT_SUFFIX = ascii("-CERT");
    private static final byte[][] PROGRAMS = {ascii("sshd"), ascii("sshd-session"), ascii("sshd-auth")};

    static {
        String[] m = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        for (int i = 0; i < 12; i++) {
            MONTHS[i] = ascii(m[i]);
        }
    }

    private final ZoneId zone;
    private final long nowEpoch;
    private final int currentYear;
    private byte[] lastStamp = new byte[0];
    private byte[] lastMinute = new byte[0]; // yyyy-MM-ddTHH:mm and the zone of the last RFC 3339 stamp
    private long lastMinuteEpoch;
    private long lastStampEpoch;
    private String lastType = "";

    /** {@code now} stands for lines without a timestamp and picks the year of syslog lines (which have none). */
    public SshdMessage(ZoneId zone, long nowEpoch) {
        this.zone = zone;
        this.nowEpoch = nowEpoch;
        this.currentYear = java.time.Instant.ofEpochSecond(nowEpoch).atZone(zone).getYear();
    }

    /** A parser with the same zone and clock and its own caches, for another thread. */
    public SshdMessage copy() {
        return new SshdMessage(zone, nowEpoch);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses a log-file line, bytes [start, end) of {@code b} without terminator. Null if not one of ours. */
    public LogLine parse(byte[] b, int start, int end) {
        if (end > start && b[end - 1] == '\r') {
            end--;
        }
        long time = nowEpoch;
        int pid = -1;
        int m; // message start
        int n = end - start;
        if (n > 20 && digit(b[start]) && b[start + 4] == '-' && b[start + 10] == 'T') {
            int sp = indexOf(b, (byte) ' ', start, end);
            if (sp < 0) {
                return null;
            }
            time = rfc3339(b, start, sp);
            if (time == Long.MIN_VALUE) {
                return null;
            }
            m = sp + 1;
        } else if (n > 16 && b[start + 3] == ' ' && b[start + 6] == ' ' && b[start + 9] == ':' && b[start + 12] == ':'
                && month(b, start) > 0) {
            // the hour's start comes from java.time (zone rules, DST) once per hour; minutes and seconds are added
            time = stamp(b, start, start + 9);
            int mi = twoDigits(b, start + 10);
            int se = twoDigits(b, start + 13);
            if (time == Long.MIN_VALUE || mi < 0 || mi > 59 || se < 0 || se > 60) {
                return null;
            }
            time += mi * 60L + se;
            m = start + 16;
        } else {
            return message(b, start, end, time, -1); // sshd -E: the message alone
        }
        // host PROG[PID]:
        int hostEnd = indexOf(b, (byte) ' ', m, end);
        if (hostEnd < 0) {
            return null;
        }
        int progStart = hostEnd + 1;
        int colon = progStart;
        while (colon + 1 < end && !(b[colon] == ':' && b[colon + 1] == ' ')) {
            colon++;
        }
        if (colon + 1 >= end) {
            return null;
        }
        int progEnd = colon;
        if (b[colon - 1] == ']') {
            int br = colon - 2;
            int p = 0;
            int mul = 1;
            while (br > progStart && digit(b[br])) {
                p += (b[br] - '0') * mul;
                mul *= 10;
                br--;
            }
            if (b[br] != '[' || mul == 1 || mul > 1_000_000_000) {
                return null;
            }
            pid = p;
            progEnd = br;
        }
        if (!isSshdProgram(b, progStart, progEnd)) {
            return null;
        }
        return message(b, colon + 2, end, time, pid);
    }

    /**
     * Parses a bare message with its PID and time, as journald gives them ({@code pid} -1 when unknown).
     */
    public LogLine parse(String message, int pid, long epochSecond) {
        byte[] b = message.getBytes(StandardCharsets.ISO_8859_1);
        int end = b.length;
        if (end > 0 && b[end - 1] == '\r') {
            end--;
        }
        return message(b, 0, end, epochSecond, pid);
    }

    private LogLine message(byte[] b, int m, int end, long time, int pid) {
        if (startsWith(b, m, end, ACCEPTED)) {
            return publickey(LogLine.Kind.ACCEPTED, b, m + ACCEPTED.length, end, time, pid);
        }
        if (startsWith(b, m, end, FAILED)) {
            return publickey(LogLine.Kind.FAILED, b, m + FAILED.length, end, time, pid);
        }
        if (startsWith(b, m, end, CERT_INVALID)) {
            return new LogLine(LogLine.Kind.CERT_INVALID, time, pid, null, null, -1, null, null, null, null, null,
                    null, str(b, m + CERT_INVALID.length, end).strip());
        }
        if (startsWith(b, m, end, AUTH_KEY)) {
            int t0 = m + AUTH_KEY.length;
            int t1 = indexOf(b, (byte) ' ', t0, end);
            if (t1 < 0) {
                return null;
            }
            int f1 = indexOf(b, (byte) ' ', t1 + 1, end);
            if (f1 < 0 || !startsWith(b, t1 + 1, end, SHA256) || !startsWith(b, f1, end, REVOKED_BY)) {
                return null;
            }
            return new LogLine(LogLine.Kind.REVOKED, time, pid, null, null, -1, type(b, t0, t1), str(b, t1 + 1, f1),
                    null, null, null, null, str(b, f1 + REVOKED_BY.length, end).strip());
        }
        return null;
    }

    /** {@code USER from IP port N ssh2: TYPE FP [ID KEYID (serial N) CA TYPE FP]} from {@code i}. */
    private LogLine publickey(LogLine.Kind kind, byte[] b, int i, int end, long time, int pid) {
        int userEnd = indexOf(b, (byte) ' ', i, end);
        if (userEnd <= i || !token(b, userEnd + 1, end, FROM)) {
            return null;
        }
        int ip0 = userEnd + 1 + FROM.length + 1;
        int ipEnd = indexOf(b, (byte) ' ', ip0, end);
        if (ipEnd <= ip0 || !token(b, ipEnd + 1, end, PORT)) {
            return null;
        }
        int p = ipEnd + 1 + PORT.length + 1;
        int port = 0;
        int digits = 0;
        while (p < end && digit(b[p]) && digits < 6) {
            port = port * 10 + (b[p++] - '0');
            digits++;
        }
        if (digits == 0 || p >= end || b[p] != ' ' || !token(b, p + 1, end, SSH2)) {
            return null;
        }
        int t0 = p + 1 + SSH2.length + 1;
        int t1 = indexOf(b, (byte) ' ', t0, end);
        if (t1 <= t0 || !startsWith(b, t1 + 1, end, SHA256)) {
            return null;
        }
        int f1 = indexOf(b, (byte) ' ', t1 + 1, end);
        if (f1 < 0) {
            f1 = end;
        }
        String type = type(b, t0, t1);
        String keyId = null;
        String serial = null;
        String caType = null;
        String caFp = null;
        if (endsWith(b, t0, t1, CERT_SUFFIX)) {
            // ID KEYID (serial N) CA TYPE FP; read KEYID up to the last " (serial " to tolerate odd key IDs
            int id0 = f1 + 1;
            if (!startsWith(b, id0, end, ID)) {
                return null;
            }
            int s = lastIndexOf(b, SERIAL, id0, end);
            if (s < 0) {
                return null;
            }
            keyId = str(b, id0 + ID.length, s);
            int close = indexOf(b, (byte) ')', s, end);
            if (close < 0) {
                return null;
            }
            serial = str(b, s + SERIAL.length, close);
            int ca0 = close + 2;
            if (startsWith(b, ca0, end, CA)) {
                int ct1 = indexOf(b, (byte) ' ', ca0 + CA.length, end);
                if (ct1 > 0) {
                    caType = str(b, ca0 + CA.length, ct1);
                    caFp = str(b, ct1 + 1, end).strip();
                }
            }
        }
        return new LogLine(kind, time, pid, str(b, i, userEnd), str(b, ip0, ipEnd), port, type, str(b, t1 + 1, f1),
                keyId, serial, caType, caFp, null);
    }

    /**
     * The epoch second of an RFC 3339 stamp ({@code 2026-11-29T15:06:26[.123456](Z|+01:00)}), Long.MIN_VALUE if
     * invalid. Lines mostly share the minute and the zone of the line before, while high-precision stamps differ
     * in every line: the minute's start is kept, keyed on the bytes up to the minute plus the zone, and then only
     * the seconds are read. Anything else goes to java.time.
     */
    private long rfc3339(byte[] b, int s, int e) {
        int sec = -1;
        int z = -1; // start of the zone
        if (e - s >= 20 && b[s + 16] == ':') {
            sec = twoDigits(b, s + 17);
            z = s + 19;
            if (b[z] == '.') {
                z++;
                while (z < e && z < s + 29 && digit(b[z])) {
                    z++;
                }
                if (z == s + 20 || (z < e && digit(b[z]))) {
                    z = -1; // no fraction digits, or more than nine
                }
            }
        }
        boolean shape = z > 0 && sec >= 0 && sec <= 59;
        if (shape && e - z == lastMinute.length - 16 && same(b, s, lastMinute, 0, 16)
                && same(b, z, lastMinute, 16, e - z)) {
            return lastMinuteEpoch + sec;
        }
        long t;
        try {
            t = OffsetDateTime.parse(str(b, s, e)).toEpochSecond();
        } catch (DateTimeParseException ex) {
            return Long.MIN_VALUE;
        }
        if (shape) {
            byte[] key = Arrays.copyOf(Arrays.copyOfRange(b, s, s + 16), 16 + e - z);
            System.arraycopy(b, z, key, 16, e - z);
            lastMinute = key;
            lastMinuteEpoch = t - sec;
        }
        return t;
    }

    /** The start of the hour of a syslog stamp ({@code MMM dd HH}), reusing the last result for the same bytes. */
    private long stamp(byte[] b, int s, int e) {
        if (e - s == lastStamp.length && same(b, s, lastStamp)) {
            return lastStampEpoch;
        }
        long t = syslogTime(str(b, s, e));
        lastStamp = Arrays.copyOfRange(b, s, e);
        lastStampEpoch = t;
        return t;
    }

    /**
     * The start of the hour {@code MMM dd HH} in the agent's zone; the year is this year unless that lands in
     * the future (December's lines read in January).
     */
    private long syslogTime(String line) {
        try {
            int month = month(line.getBytes(StandardCharsets.ISO_8859_1), 0);
            int day = Integer.parseInt(line.substring(4, 6).strip());
            int h = Integer.parseInt(line.substring(7, 9));
            LocalDateTime ldt = LocalDateTime.of(currentYear, month, day, h, 0, 0);
            long t = ldt.atZone(zone).toEpochSecond();
            if (t > nowEpoch + 86_400) {
                t = ldt.minusYears(1).atZone(zone).toEpochSecond(); // December's lines read in January
            }
            return t;
        } catch (RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }

    private String type(byte[] b, int s, int e) {
        String last = lastType;
        if (last.length() == e - s) {
            boolean same = true;
            for (int k = 0; k < e - s && same; k++) {
                same = last.charAt(k) == (b[s + k] & 0xff);
            }
            if (same) {
                return last;
            }
        }
        lastType = str(b, s, e);
        return lastType;
    }

    private static boolean isSshdProgram(byte[] b, int s, int e) {
        for (byte[] p : PROGRAMS) {
            if (e - s == p.length && same(b, s, p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code w} at {@code b[at]} (the caller checked the bounds). The words are a few bytes long: a plain loop, as
     * {@link Arrays#equals(byte[], int, int, byte[], int, int)} costs a range check and a call per use in the
     * agent's C1-compiled code.
     */
    private static boolean same(byte[] b, int at, byte[] w) {
        return same(b, at, w, 0, w.length);
    }

    /** {@code w[from, from + n)} at {@code b[at]}. */
    private static boolean same(byte[] b, int at, byte[] w, int from, int n) {
        for (int k = 0; k < n; k++) {
            if (b[at + k] != w[from + k]) {
                return false;
            }
        }
        return true;
    }

    private static int month(byte[] b, int s) {
        for (int i = 0; i < 12; i++) {
            if (b[s] == MONTHS[i][0] && b[s + 1] == MONTHS[i][1] && b[s + 2] == MONTHS[i][2]) {
                return i + 1;
            }
        }
        return 0;
    }

    private static int twoDigits(byte[] b, int at) {
        if (!digit(b[at]) || !digit(b[at + 1])) {
            return -1;
        }
        return (b[at] - '0') * 10 + (b[at + 1] - '0');
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** {@code w} at {@code at}, followed by a space. */
    private static boolean token(byte[] b, int at, int end, byte[] w) {
        return at + w.length < end && startsWith(b, at, end, w) && b[at + w.length] == ' ';
    }

    private static boolean startsWith(byte[] b, int at, int end, byte[] w) {
        return at >= 0 && end - at >= w.length && same(b, at, w);
    }

    private static boolean endsWith(byte[] b, int s, int e, byte[] w) {
        return e - s >= w.length && same(b, e - w.length, w);
    }

    private static int indexOf(byte[] b, byte c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The last {@code w} (two bytes or more) in {@code b[from, end)}: one byte compare per position, the word only
     * where its second byte is (the first of {@code " (serial "} is a space, as common as any).
     */
    private static int lastIndexOf(byte[] b, byte[] w, int from, int end) {
        byte second = w[1];
        for (int i = end - w.length; i >= from; i--) {
            if (b[i + 1] == second && same(b, i, w)) {
                return i;
            }
        }
        return -1;
    }

    private static String str(byte[] b, int s, int e) {
        return new String(b, s, Math.max(0, e - s), StandardCharsets.ISO_8859_1);
    }
}
