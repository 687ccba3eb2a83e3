package dev.keyward.web.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The end of a soak run: least-squares slopes of RSS and p99 per minute, and PASS only when nothing failed, RSS after
 * minute 5 never grew more than 10% over its value at minute 5, the certificate requests' p99 was under 50 ms and
 * the simulated agents' p99 under 250 ms in every minute. A run of 5 minutes or less gets no verdict on RSS, and so
 * no PASS. The agents' limit is there because their requests are where work that grows with the database shows
 * first (a KRL build that scanned every certificate ever issued slowed them by 18 ms a minute while issuance stayed
 * fast).
 */
final class SoakVerdict {
    private static final double P99_LIMIT_MS = 50;
    private static final double AGENT_P99_LIMIT_MS = 250;
    private static final double RSS_GROWTH_LIMIT = 0.10;
    /** RSS is judged against its value at the end of this minute (start-up, JIT and pools settle before). */
    private static final int SETTLE_MINUTES = 5;

    private SoakVerdict() {
    }

    /**
     * One printed minute (1-based): the server as seen at its end, the p99 of its certificate requests and that of the
     * simulated agents' requests.
     */
    record Minute(int n, ServerProbe.Sample server, double p99, double agentP99) {
    }

    /** Prints the slopes and the verdict to {@code out}; true on PASS. */
    static boolean judge(List<Minute> rows, long failures, PrintStream out) {
        double[] x = rows.stream().mapToDouble(Minute::n).toArray();
        List<Minute> later = rows.stream().filter(r -> r.n() > SETTLE_MINUTES).toList();
        printf(out, "slopes (least squares per minute): RSS %+.2f MB/min over minutes 1-%d%s; p99 %+.3f ms/min; "
                        + "agents' p99 %+.3f ms/min%n",
                slope(x, rows.stream().mapToDouble(r -> r.server().rssMb()).toArray()), rows.size(),
                later.size() < 2 ? "" : String.format(Locale.ROOT, " (%+.2f MB/min over minutes %d-%d)",
                        slope(later.stream().mapToDouble(Minute::n).toArray(),
                                later.stream().mapToDouble(r -> r.server().rssMb()).toArray()),
                        SETTLE_MINUTES + 1, rows.size()),
                slope(x, rows.stream().mapToDouble(Minute::p99).toArray()),
                slope(x, rows.stream().mapToDouble(Minute::agentP99).toArray()));

        printf(out, "%nVerdict%n");
        boolean noErrors = criterion(out, failures == 0, "no errors: " + failures);
        Boolean rssOk = null;
        if (later.isEmpty()) {
            printf(out, "  %-4s RSS after minute %d: not judged, the run is shorter than %d minutes%n", "n/a", SETTLE_MINUTES,
                    SETTLE_MINUTES + 1);
        } else {
            double base = rows.get(SETTLE_MINUTES - 1).server().rssMb();
            double max = later.stream().mapToDouble(r -> r.server().rssMb()).max().orElseThrow();
            rssOk = criterion(out, max <= base * (1 + RSS_GROWTH_LIMIT), String.format(Locale.ROOT,
                    "RSS after minute %d grew by at most %.0f%%: %.1f MB at minute %d, at most %.1f MB after (%+.1f%%)",
                    SETTLE_MINUTES, 100 * RSS_GROWTH_LIMIT, base, SETTLE_MINUTES, max, 100 * (max / base - 1)));
        }
        // a minute without a single answer has no p99 (NaN): the worst of all, and never under the limit
        Minute worst = rows.stream().max((a, b) -> Double.compare(orMax(a.p99()), orMax(b.p99()))).orElseThrow();
        boolean p99Ok = criterion(out, rows.stream().allMatch(r -> r.p99() < P99_LIMIT_MS), String.format(Locale.ROOT,
                "p99 < %.0f ms in every minute: highest %.2f ms (minute %d)", P99_LIMIT_MS, worst.p99(), worst.n()));
        Minute worstAgents = rows.stream().max((a, b) -> Double.compare(orMax(a.agentP99()), orMax(b.agentP99())))
                .orElseThrow();
        boolean agentsOk = criterion(out, rows.stream().allMatch(r -> r.agentP99() < AGENT_P99_LIMIT_MS),
                String.format(Locale.ROOT, "agents' p99 < %.0f ms in every minute: highest %.2f ms (minute %d)",
                        AGENT_P99_LIMIT_MS, worstAgents.agentP99(), worstAgents.n()));
        boolean pass = noErrors && p99Ok && agentsOk && Boolean.TRUE.equals(rssOk);
        printf(out, "%s%n", pass ? "PASS" : rssOk == null && noErrors && p99Ok && agentsOk
                ? "NO VERDICT: RSS growth after minute " + SETTLE_MINUTES + " needs --minutes " + (SETTLE_MINUTES + 1)
                        + " or more" : "FAIL");
        return pass;
    }

    /** Least-squares slope of y over x; NaN with fewer than two points. */
    static double slope(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / sxx;
    }

    private static double orMax(double v) {
        return Double.isNaN(v) ? Double.MAX_VALUE : v;
    }

    private static boolean criterion(PrintStream out, boolean pass, String what) {
        printf(out, "  %-4s %s%n", pass ? "PASS" : "FAIL", what);
        return pass;
    }

    private static void printf(PrintStream out, String format, Object... args) {
        out.printf(Locale.ROOT, format, args);
        out.flush();
    }
}
