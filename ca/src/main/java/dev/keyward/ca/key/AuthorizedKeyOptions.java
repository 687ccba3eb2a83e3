package dev.keyward.ca.key;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.SourceAddresses;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of an authorized_keys line as sshd reads them (sshd(8) "AUTHORIZED_KEYS FILE FORMAT";
 * OpenSSH auth-options.c {@code sshauthopt_parse}, misc.c {@code opt_flag}, {@code opt_match},
 * {@code opt_dequote}). sshd skips a whole line whose options it cannot parse, so a key with an option it does
 * not know ({@code frobnicate}) is silently not authorized at all. Options are checked here the way sshd checks
 * them, and a little stricter where sshd would accept a line that can never let anyone in.
 *
 * <ul>
 * <li>Names are compared case-insensitively ({@code strncasecmp}). Flags: {@code restrict} and
 * {@code cert-authority}; {@code agent-forwarding}, {@code port-forwarding}, {@code pty}, {@code user-rc},
 * {@code X11-forwarding}, {@code touch-required} and {@code verify-required}, each also with {@code no-}.</li>
 * <li>Options with a value: {@code name="value"}, the value in double quotes, {@code \"} for a quote inside,
 * nothing after the closing quote: {@code command}, {@code principals}, {@code from} (each at most once, as
 * sshd requires), {@code environment} ({@code NAME=value}, NAME of letters, digits and '_'), {@code expiry-time}
 * ({@code YYYYMMDD[HHMM[SS]]}, optionally {@code Z} or {@code UTC}; a date that exists), {@code permitopen}
 * ({@code host:port}), {@code permitlisten} ({@code [host:]port}), {@code tunnel} ({@code any} or a device
 * number).</li>
 * <li>Stricter than sshd: an expiry time must exist (sshd reads 30 February as 2 March); ports must be
 * numbers from 1 to 65535 or {@code *} (sshd also looks up service names in the host's /etc/services); a
 * {@code from} entry that is an address with a prefix length must be a valid CIDR block (sshd parses the line
 * but then refuses every login through it); hosts in permits may not be empty.</li>
 * </ul>
 */
public final class AuthorizedKeyOptions {
    static final Set<String> FLAGS = Set.of("restrict", "cert-authority");
    static final Set<String> NEGATABLE_FLAGS = Set.of("agent-forwarding", "port-forwarding", "pty", "user-rc",
            "x11-forwarding", "touch-required", "verify-required");
    static final Set<String> ONCE = Set.of("command", "principals", "from");
    static final Set<String> VALUED = Set.of("command", "principals", "from", "environment", "expiry-time",
            "permitopen", "permitlisten", "tunnel");
    /** SSH_TUNID_MAX in OpenSSH's misc.h: SSH_TUNID_ANY (0x7fffffff) - 2. */
    static final long MAX_TUNNEL = 0x7fffffffL - 2;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z0-9_]+");
    private static final Pattern EXPIRY = Pattern.compile(
            "([0-9]{4})([0-9]{2})([0-9]{2})(?:([0-9]{2})([0-9]{2})([0-9]{2})?)?(?:[Zz]|[Uu][Tt][Cc])?");
    private static final String KNOWN = "agent-forwarding, cert-authority, command=\"...\", environment=\"NAME=value\","
            + " expiry-time=\"YYYYMMDD[HHMM[SS]]\", from=\"pattern-list\", permitlisten=\"[host:]port\","
            + " permitopen=\"host:port\", port-forwarding, principals=\"...\", pty, restrict, tunnel=\"n\", user-rc,"
            + " X11-forwarding, touch-required, verify-required (the flags also with no-)";

    private AuthorizedKeyOptions() {
    }

    /**
     * Checks {@code options}, each one option as written ({@code no-pty}, {@code from="10.0.0.0/8"}).
     *
     * @throws InvalidInputException naming the first option sshd would not accept, and why
     */
    public static void check(List<String> options) {
        Set<String> seen = new HashSet<>();
        for (String o : options) {
            String name = check(o);
            if (ONCE.contains(name) && !seen.add(name)) {
                throw new InvalidInputException("option " + name + " is given twice; sshd refuses a line with more"
                        + " than one");
            }
        }
    }

    /** Checks one option; returns its name in lower case. */
    private static String check(String option) {
        int eq = option.indexOf('=');
        String name = (eq < 0 ? option : option.substring(0, eq)).toLowerCase(Locale.ROOT);
        if (eq < 0) {
            String flag = name.startsWith("no-") && NEGATABLE_FLAGS.contains(name.substring(3)) ? name.substring(3)
                    : name;
            if (FLAGS.contains(flag) || NEGATABLE_FLAGS.contains(flag)) {
                return name;
            }
            throw unknown(option, VALUED.contains(name) ? name + " needs a value: " + name + "=\"...\"" : null);
        }
        if (!VALUED.contains(name)) {
            throw unknown(option, FLAGS.contains(name) || NEGATABLE_FLAGS.contains(name)
                    || name.startsWith("no-") && NEGATABLE_FLAGS.contains(name.substring(3))
                    ? name + " is a flag and takes no value" : null);
        }
        String value = dequote(option, name, option.substring(eq + 1));
        switch (name) {
            case "environment" -> environment(value);
            case "expiry-time" -> expiryTime(value);
            case "permitopen" -> permit(name, value, false);
            case "permitlisten" -> permit(name, value, true);
            case "tunnel" -> tunnel(value);
            case "from" -> from(value);
            default -> {
                // command and principals: any text (sshd runs or matches it as written)
            }
        }
        return name;
    }

    /** The value of {@code "..."} as sshd's opt_dequote reads it: only {@code \"} is an escape. */
    private static String dequote(String option, String name, String quoted) {
        if (!quoted.startsWith("\"")) {
            throw bad(option, "the value of " + name + " must be in double quotes: " + name + "=\"...\"");
        }
        StringBuilder v = new StringBuilder();
        int i = 1;
        for (; i < quoted.length() && quoted.charAt(i) != '"'; i++) {
            if (quoted.charAt(i) == '\\' && i + 1 < quoted.length() && quoted.charAt(i + 1) == '"') {
                i++;
            }
            v.append(quoted.charAt(i));
        }
        if (i >= quoted.length()) {
            throw bad(option, "the value of " + name + " has no closing double quote");
        }
        if (i != quoted.length() - 1) {
            throw bad(option, "nothing may follow the closing quote of " + name + "'s value");
        }
        return v.toString();
    }

    private static void environment(String value) {
        int eq = value.indexOf('=');
        if (eq < 0 || !ENV_NAME.matcher(value.substring(0, eq)).matches()) {
            throw bad("environment=\"" + value + "\"", "the value must be NAME=value with a NAME of letters, digits"
                    + " and '_'");
        }
    }

    /** sshd's parse_absolute_time: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, then optionally Z or UTC. */
    private static void expiryTime(String value) {
        Matcher m = EXPIRY.matcher(value);
        if (!m.matches()) {
            throw bad("expiry-time=\"" + value + "\"", "the time must be YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS,"
                    + " optionally followed by Z or UTC");
        }
        try {
            LocalDate d = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)));
            LocalTime t = m.group(4) == null ? LocalTime.MIDNIGHT : LocalTime.of(Integer.parseInt(m.group(4)),
                    Integer.parseInt(m.group(5)), m.group(6) == null ? 0 : Integer.parseInt(m.group(6)));
            LocalDateTime.of(d, t);
        } catch (DateTimeException e) {
            throw bad("expiry-time=\"" + value + "\"", "there is no such date or time");
        }
    }

    /** sshd's handle_permit: [host:]port where host may be [IPv6]; the port a number or '*'. */
    private static void permit(String name, String value, boolean bareListenPort) {
        String v = bareListenPort && value.indexOf(':') < 0 ? "*:" + value : value;
        String host;
        String rest;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0 || close + 1 >= v.length() || (v.charAt(close + 1) != ':' && v.charAt(close + 1) != '/')) {
                throw bad(name + "=\"" + value + "\"", "expected [address]:port");
            }
            host = v.substring(0, close + 1);
            rest = v.substring(close + 2);
        } else {
            int sep = indexOfAny(v, ":/");
            if (sep < 0) {
                throw bad(name + "=\"" + value + "\"", "expected host:port");
            }
            host = v.substring(0, sep);
            rest = v.substring(sep + 1);
        }
        if (host.isEmpty() || host.length() >= 1025) { // NI_MAXHOST
            throw bad(name + "=\"" + value + "\"", "the host is empty or too long");
        }
        if (!rest.equals("*") && !validPort(rest)) {
            throw bad(name + "=\"" + value + "\"", "the port must be a number from 1 to 65535 or *");
        }
    }

    private static void tunnel(String value) {
        if (value.equalsIgnoreCase("any")) {
            return;
        }
        if (!value.matches("[0-9]{1,10}") || Long.parseLong(value) > MAX_TUNNEL) {
            throw bad("tunnel=\"" + value + "\"", "the value must be any or a device number from 0 to " + MAX_TUNNEL);
        }
    }

    /**
     * sshd's addr_match_list, as far as it can refuse: no empty entry, and an entry that is an address with a
     * prefix length must be a valid CIDR block. Other entries are host or address patterns ({@code *}, {@code ?}).
     */
    private static void from(String value) {
        for (String entry : value.split(",", -1)) {
            String e = entry.startsWith("!") ? entry.substring(1) : entry;
            if (e.isEmpty()) {
                throw bad("from=\"" + value + "\"", "the pattern list has an empty entry");
            }
            int slash = e.indexOf('/');
            if (slash >= 0 && e.substring(0, slash).matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                try {
                    SourceAddresses.validate(e);
                } catch (InvalidInputException x) {
                    throw bad("from=\"" + value + "\"", x.getMessage().replace("source-address", "entry")
                            + " (sshd refuses every login through this line)");
                }
            }
        }
    }

    private static boolean validPort(String s) {
        return s.matches("[0-9]{1,5}") && Integer.parseInt(s) >= 1 && Integer.parseInt(s) <= 65535;
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static InvalidInputException unknown(String option, String why) {
        return new InvalidInputException("option '" + printable(option) + "' is not an authorized_keys option sshd"
                + " accepts" + (why == null ? "" : " (" + why + ")") + "; sshd would ignore the whole line. Known: "
                + KNOWN);
    }

    private static InvalidInputException bad(String option, String why) {
        return new InvalidInputException("option '" + printable(option) + "': " + why + "; sshd would ignore the"
                + " whole line");
    }

    private static String printable(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 80 ? p.substring(0, 77) + "..." : p;
    }
}
