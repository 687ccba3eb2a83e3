package dev.keyward.web.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What keeps slow or greedy clients from holding the server ({@code http.limits}). Every limit can be turned off
 * ({@code off}, or {@code 0}).
 *
 * @param headerTimeout         {@code header_timeout} (default 10s): the request line and headers must have arrived
 *                              this long after the request's first byte, else the connection is closed
 * @param bodyTimeout           {@code body_timeout} (default 60s): the whole body must have arrived this long after
 *                              the headers, else the request ends with 408
 * @param minDataRate           {@code min_data_rate} (default 256, bytes per second): a body arriving slower than
 *                              this, measured from when the server first waits for it, ends the request with 408
 * @param connectionsPerSource  {@code connections_per_source} (default 256): open TCP connections per client
 *                              address (an IPv6 client is its /64); one more is closed as soon as it is accepted
 * @param trustedProxies        {@code trusted_proxies} (default none): addresses or CIDR blocks of reverse proxies
 *                              whose {@code X-Forwarded-For} names the client for the rate limits
 * @param issuePerCaller        {@code issue_per_caller}: certificate issuance per authenticated caller
 * @param issuePerSource        {@code issue_per_source}: certificate issuance per client address
 * @param enrollPerSource       {@code enroll_per_source}: host enrollment per client address
 * @param authFailuresPerSource {@code auth_failures_per_source}: refused credentials per client address; once spent,
 *                              every authenticated route and the console's sign-in answer 429 to that address
 *                              until it refills (refused console sign-ins count too)
 */
public record HttpLimits(Optional<Duration> headerTimeout, Optional<Duration> bodyTimeout, long minDataRate,
        int connectionsPerSource, List<Cidr> trustedProxies, Rate issuePerCaller, Rate issuePerSource,
        Rate enrollPerSource, Rate authFailuresPerSource) {

    public static final HttpLimits DEFAULTS = new HttpLimits(Optional.of(Duration.ofSeconds(10)),
            Optional.of(Duration.ofSeconds(60)), 256, 256, List.of(), new Rate(20, Duration.ofSeconds(1), 100),
            new Rate(200, Duration.ofSeconds(1), 1000), new Rate(5, Duration.ofSeconds(1), 100),
            new Rate(10, Duration.ofSeconds(1), 100));
    /** Every limit off. */
    public static final HttpLimits OFF = new HttpLimits(Optional.empty(), Optional.empty(), 0, 0, List.of(), Rate.OFF,
            Rate.OFF, Rate.OFF, Rate.OFF);

    static final Set<String> KEYS = Set.of("header_timeout", "body_timeout", "min_data_rate", "connections_per_source",
            "trusted_proxies", "issue_per_caller", "issue_per_source", "enroll_per_source", "auth_failures_per_source");
    private static final Set<String> RATE_KEYS = Set.of("rate", "burst");
    private static final Pattern RATE = Pattern.compile("(\\d{1,9})\\s*/\\s*(s|m|h)");

    public HttpLimits {
        trustedProxies = List.copyOf(trustedProxies);
        if (minDataRate < 0) {
            throw new ConfigException("http.limits.min_data_rate must be 0 (off) or more bytes per second, got "
                    + minDataRate);
        }
        if (connectionsPerSource < 0) {
            throw new ConfigException("http.limits.connections_per_source must be 0 (off) or more, got "
                    + connectionsPerSource);
        }
    }

    /**
     * A token bucket: {@code count} requests per {@code per} on average, {@code burst} at once.
     * {@link #OFF} lets everything through.
     */
    public record Rate(long count, Duration per, int burst) {
        public static final Rate OFF = new Rate(0, Duration.ofSeconds(1), 0);

        public boolean isOff() {
            return count == 0;
        }

        /** Requests per second. */
        public double perSecond() {
            return count * 1e9 / per.toNanos();
        }

        /** As written in the configuration: {@code 20/s, burst 100}. */
        @Override
        public String toString() {
            if (isOff()) {
                return "off";
            }
            String unit = per.equals(Duration.ofHours(1)) ? "h" : per.equals(Duration.ofMinutes(1)) ? "m" : "s";
            return count + "/" + unit + ", burst " + burst;
        }
    }

    /** Reads {@code http.limits}; what is not given keeps its default. */
    static HttpLimits parse(ConfigTree t) {
        t.checkKnown(KEYS);
        HttpLimits d = DEFAULTS;
        return new HttpLimits(
                timeout(t, "header_timeout", d.headerTimeout()),
                timeout(t, "body_timeout", d.bodyTimeout()),
                number(t, "min_data_rate", d.minDataRate()),
                (int) Math.min(number(t, "connections_per_source", d.connectionsPerSource()), Integer.MAX_VALUE),
                proxies(t),
                rate(t, "issue_per_caller", d.issuePerCaller()),
                rate(t, "issue_per_source", d.issuePerSource()),
                rate(t, "enroll_per_source", d.enrollPerSource()),
                rate(t, "auth_failures_per_source", d.authFailuresPerSource()));
    }

    private static boolean off(String v) {
        return v.equals("0") || v.toLowerCase(Locale.ROOT).equals("off") || v.equals("false");
    }

    /** A duration under {@code t}, {@code off} (or 0, false) for none, {@code dflt} when absent. */
    static Optional<Duration> timeout(ConfigTree t, String key, Optional<Duration> dflt) {
        Optional<String> v = t.string(key);
        if (v.isEmpty()) {
            return dflt;
        }
        return off(v.get()) ? Optional.empty() : Optional.of(ConfigTree.parseDuration(t.name(key), v.get()));
    }

    private static long number(ConfigTree t, String key, long dflt) {
        Optional<String> v = t.string(key);
        if (v.isEmpty()) {
            return dflt;
        }
        if (off(v.get())) {
            return 0;
        }
        try {
            long n = Long.parseLong(v.get());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(t.name(key) + " must be a whole number of 0 or more (0 or off: no limit), got '"
                    + v.get() + "'");
        }
    }

    private static List<Cidr> proxies(ConfigTree t) {
        List<Cidr> out = new ArrayList<>();
        for (String s : t.strings("trusted_proxies")) {
            out.add(Cidr.parse(t.name("trusted_proxies"), s));
        }
        return out;
    }

    /** {@code key: off}, or {@code key: {rate: 20/s, burst: 100}} (either member may be left out). */
    private static Rate rate(ConfigTree t, String key, Rate dflt) {
        if (!t.isMapping(key)) {
            Optional<String> v = t.string(key);
            if (v.isEmpty()) {
                return dflt;
            }
            if (off(v.get())) {
                return Rate.OFF;
            }
            throw new ConfigException(t.name(key) + " must be off or a mapping with rate (e.g. 20/s, 600/m, 100/h)"
                    + " and burst, got '" + v.get() + "'");
        }
        ConfigTree r = t.section(key);
        r.checkKnown(RATE_KEYS);
        Optional<String> rateText = r.string("rate");
        if (rateText.isPresent() && off(rateText.get())) {
            return Rate.OFF;
        }
        long count = dflt.count();
        Duration per = dflt.per();
        if (rateText.isPresent()) {
            Matcher m = RATE.matcher(rateText.get());
            if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
                throw new ConfigException(r.name("rate") + " must be a count per second, minute or hour such as 20/s,"
                        + " 600/m or 100/h (or off), got '" + rateText.get() + "'");
            }
            count = Long.parseLong(m.group(1));
            per = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                default -> Duration.ofHours(1);
            };
        }
        long burst = dflt.isOff() ? count : dflt.burst();
        Optional<String> burstText = r.string("burst");
        if (burstText.isPresent()) {
            try {
                burst = Long.parseLong(burstText.get());
            } catch (NumberFormatException e) {
                burst = -1;
            }
            if (burst < 1 || burst > 1_000_000) {
                throw new ConfigException(r.name("burst") + " must be a whole number from 1 to 1000000 (requests"
                        + " allowed at once), got '" + burstText.get() + "'");
            }
        }
        return new Rate(count, per, (int) burst);
    }
}
