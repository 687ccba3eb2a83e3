package dev.keyward.agent.usage;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * Parses the lines {@link LogScanner} found. Shapes (OpenSSH 8.x to 10.x, INFO level; see facts.md):
 * <pre>
 *   [PREFIX] Accepted publickey for USER from IP port N ssh2: TYPE SHA256:FP
 *   [PREFIX] Accepted publickey for USER from IP port N ssh2: TYPE-CERT SHA256:FP ID KEYID (serial N) CA TYPE SHA256:CAFP
 *   [PREFIX] Failed publickey for ... (same tail)
 *   [PREFIX] Authentication key TYPE SHA256:FP revoked by file F
 *   [PREFIX] Certificate invalid: REASON
 * </pre>
 * where PREFIX is {@code MMM dd HH:MM:SS host PROG[PID]: } or {@code RFC3339 host PROG[PID]: } with PROG
 * {@code sshd}, {@code sshd-session} (9.8+) or {@code sshd-auth}; {@code sshd -E} and journald messages have no
 * prefix. Lines from other programs are ignored (a user's {@code logger "Accepted publickey for root"} must not
 * become a login). Accounts and key IDs never contain blanks, so the shapes split on single spaces.
 */
public final class SshdMessage {
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
            "Nov", "Dec"};

    private final ZoneId zone;
    private final long nowEpoch;
    private final int currentYear;

    /** {@code now} stands for lines without a timestamp and picks the year of syslog lines (which have none). */
    public SshdMessage(ZoneId zone, long nowEpoch) {
        this.zone = zone;
        this.nowEpoch = nowEpoch;
        this.currentYear = java.time.Instant.ofEpochSecond(nowEpoch).atZone(zone).getYear();
    }

    /** Parses bytes [start, end) of {@code buf} (a whole line, no terminator). Null if it is not one of ours. */
    public LogLine parse(byte[] buf, int start, int end) {
        if (end > start && buf[end - 1] == '\r') {
            end--;
        }
        return parse(new String(buf, start, end - start, StandardCharsets.ISO_8859_1), -1, Long.MIN_VALUE);
    }

    /**
     * Parses one line. {@code pid} and {@code epochSecond} come from the journal (then the line is a bare
     * message); pass -1 and {@code Long.MIN_VALUE} for log-file lines.
     */
    public LogLine parse(String line, int pid, long epochSecond) {
        long time = epochSecond == Long.MIN_VALUE ? nowEpoch : epochSecond;
        String msg = line;
        if (epochSecond == Long.MIN_VALUE) {
            Prefix p = prefix(line);
            if (p == null) {
                return null; // a syslog line of some other program, or garbage
            }
            if (p.time != Long.MIN_VALUE) {
                time = p.time;
            }
            pid = p.pid;
            msg = line.substring(p.messageStart);
        }
        if (msg.startsWith("Accepted publickey for ")) {
            return publickey(LogLine.Kind.ACCEPTED, msg, "Accepted publickey for ".length(), time, pid);
        }
        if (msg.startsWith("Failed publickey for ")) {
            return publickey(LogLine.Kind.FAILED, msg, "Failed publickey for ".length(), time, pid);
        }
        if (msg.startsWith("Certificate invalid: ")) {
            return new LogLine(LogLine.Kind.CERT_INVALID, time, pid, null, null, -1, null, null, null, null, null,
                    null, msg.substring("Certificate invalid: ".length()).strip());
        }
        if (msg.startsWith("Authentication key ")) {
            int rb = msg.indexOf(" revoked by file ");
            if (rb < 0) {
                return null;
            }
            String[] kf = msg.substring("Authentication key ".length(), rb).split(" ");
            if (kf.length != 2 || !kf[1].startsWith("SHA256:")) {
                return null;
            }
            return new LogLine(LogLine.Kind.REVOKED, time, pid, null, null, -1, kf[0], kf[1], null, null, null, null,
                    msg.substring(rb + " revoked by file ".length()).strip());
        }
        return null;
    }

    /** {@code USER from IP port N ssh2: TYPE FP [ID KEYID (serial N) CA TYPE FP]} from index {@code i}. */
    private static LogLine publickey(LogLine.Kind kind, String msg, int i, long time, int pid) {
        String[] t = msg.substring(i).strip().split(" ");
        // USER from IP port N ssh2: TYPE FP
        if (t.length < 7 || !t[1].equals("from") || !t[3].equals("port") || !t[5].equals("ssh2:")) {
            return null;
        }
        int port;
        try {
            port = Integer.parseInt(t[4]);
        } catch (NumberFormatException e) {
            return null;
        }
        String type = t[6];
        String fp = t.length > 7 ? t[7] : null;
        if (fp == null || !fp.startsWith("SHA256:")) {
            return null;
        }
        String keyId = null;
        String serial = null;
        String caType = null;
        String caFp = null;
        if (type.endsWith("-CERT")) {
            // ID KEYID (serial N) CA TYPE FP ; KEYID has no blanks in Keyward's certs (facts.md), but read it
            // up to " (serial " to be tolerant of others
            String rest = String.join(" ", java.util.Arrays.copyOfRange(t, 8, t.length));
            int s = rest.lastIndexOf(" (serial ");
            if (!rest.startsWith("ID ") || s < 0) {
                return null;
            }
            keyId = rest.substring(3, s);
            int close = rest.indexOf(')', s);
            if (close < 0) {
                return null;
            }
            serial = rest.substring(s + " (serial ".length(), close);
            String[] ca = rest.substring(close + 1).strip().split(" ");
            if (ca.length == 3 && ca[0].equals("CA")) {
                caType = ca[1];
                caFp = ca[2];
            }
        }
        return new LogLine(kind, time, pid, t[0], t[2], port, type, fp, keyId, serial, caType, caFp, null);
    }

    private record Prefix(long time, int pid, int messageStart) {
    }

    /**
     * The syslog prefix, if any: returns null for a prefixed line of another program; a prefix with
     * {@code messageStart} 0 for a bare message.
     */
    private Prefix prefix(String line) {
        if (line.isEmpty()) {
            return null;
        }
        char c0 = line.charAt(0);
        int afterTime;
        long time;
        if (c0 >= '0' && c0 <= '9' && line.length() > 20 && line.charAt(4) == '-' && line.charAt(10) == 'T') {
            int sp = line.indexOf(' ');
            if (sp < 0) {
                return null;
            }
            try {
                time = OffsetDateTime.parse(line.substring(0, sp)).toEpochSecond();
            } catch (DateTimeParseException e) {
                return null;
            }
            afterTime = sp + 1;
        } else if (line.length() > 16 && line.charAt(3) == ' ' && line.charAt(6) == ' ' && line.charAt(9) == ':'
                && month(line) > 0) {
            time = syslogTime(line);
            if (time == Long.MIN_VALUE) {
                return null;
            }
            afterTime = 16;
        } else {
            return new Prefix(Long.MIN_VALUE, -1, 0); // sshd -E: the message alone
        }
        // host PROG[PID]:
        int hostEnd = line.indexOf(' ', afterTime);
        if (hostEnd < 0) {
            return null;
        }
        int progEnd = line.indexOf(": ", hostEnd + 1);
        if (progEnd < 0) {
            return null;
        }
        String prog = line.substring(hostEnd + 1, progEnd);
        int pid = -1;
        int br = prog.indexOf('[');
        if (br >= 0 && prog.endsWith("]")) {
            try {
                pid = Integer.parseInt(prog.substring(br + 1, prog.length() - 1));
            } catch (NumberFormatException e) {
                return null;
            }
            prog = prog.substring(0, br);
        }
        if (!prog.equals("sshd") && !prog.equals("sshd-session") && !prog.equals("sshd-auth")) {
            return null;
        }
        return new Prefix(time, pid, progEnd + 2);
    }

    private static int month(String line) {
        for (int m = 0; m < 12; m++) {
            if (line.startsWith(MONTHS[m])) {
                return m + 1;
            }
        }
        return 0;
    }

    /** {@code MMM dd HH:MM:SS} in the agent's zone; the year is this year unless that lands in the future. */
    private long syslogTime(String line) {
        try {
            int month = month(line);
            int day = Integer.parseInt(line.substring(4, 6).strip());
            int h = Integer.parseInt(line.substring(7, 9));
            int mi = Integer.parseInt(line.substring(10, 12));
            int s = Integer.parseInt(line.substring(13, 15));
            LocalDateTime ldt = LocalDateTime.of(currentYear, month, day, h, mi, s);
            long t = ldt.atZone(zone).toEpochSecond();
            if (t > nowEpoch + 86_400) {
                t = ldt.minusYears(1).atZone(zone).toEpochSecond(); // December's lines read in January
            }
            return t;
        } catch (RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }
}
