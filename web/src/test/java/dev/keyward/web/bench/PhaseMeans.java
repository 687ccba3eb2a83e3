package dev.keyward.web.bench;

import java.util.Locale;

/**
 * The mean {@code Server-Timing} phases of every certificate of a closed-loop run: where a certificate's time on the
 * server goes when the clients keep it busy (the open loop's {@link OpenLoopTrace} answers the same for a steady
 * rate, request by request).
 */
final class PhaseMeans {
    private final double[] sums = new double[OpenLoopTrace.PHASES.length + 2];
    private long n;

    /** Adds one answer's {@code Server-Timing} value (null: none). */
    synchronized void add(String serverTiming) {
        float[] p = OpenLoopTrace.parse(serverTiming);
        if (p == null) {
            return;
        }
        for (int i = 0; i < p.length; i++) {
            sums[i] += p[i];
        }
        n++;
    }

    /** One line: each phase's mean ms, the server's whole time, and the mean batch a certificate was issued in. */
    synchronized String line() {
        if (n == 0) {
            return "no Server-Timing answers";
        }
        StringBuilder b = new StringBuilder("mean ms:");
        for (int i = 0; i < OpenLoopTrace.PHASES.length; i++) {
            b.append(String.format(Locale.ROOT, " %s %.2f", OpenLoopTrace.PHASES[i], sums[i] / n));
        }
        int app = OpenLoopTrace.PHASES.length;
        return b.append(String.format(Locale.ROOT, "; in the server %.2f; batch %.1f certificates", sums[app] / n,
                sums[app + 1] / n)).toString();
    }
}
