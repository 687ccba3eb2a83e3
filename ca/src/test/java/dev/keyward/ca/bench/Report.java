package dev.keyward.ca.bench;

import dev.keyward.ca.bench.Throughput.Rate;
import java.io.PrintStream;
import java.util.Locale;

/** Prints one run's numbers as a table, with the ratios the issue sets targets for and PASS/MISS beside them. */
final class Report {
    static final double ISSUANCE_VS_RAW_TARGET = 0.90;
    static final double ISSUANCE_VS_HSM_KEYGEN_TARGET = 100;
    static final long KRL_BUILD_TARGET_NANOS = 1_000_000_000L;

    /** The signing measurements of one run (each the best of the rounds). */
    record Signing(Rate raw1, Rate raw2, Rate issue1, Rate issue2, Paired.Result paired1, Paired.Result paired2,
            Rate keygen1, Rate keygen2, Rate hsm1) {
    }

    private final PrintStream out;
    private int missed;

    Report(PrintStream out) {
        this.out = out;
    }

    /** How many targets this report marked MISS. */
    int missed() {
        return missed;
    }

    void header(String title, String... lines) {
        out.println(title);
        for (String l : lines) {
            out.println("  " + l);
        }
        out.println();
    }

    void signing(Signing s) {
        out.println("Certificates per second, same SoftHSM2 P-256 key          1 thread   2 threads");
        rates("raw JCA Signature, SunPKCS11 (the ceiling)", s.raw1(), s.raw2());
        rates("Keyward issuance: build+encode+sign+base64", s.issue1(), s.issue2());
        rates("ssh-keygen -s, P-256 key file, a process per cert", s.keygen1(), s.keygen2());
        rates("ssh-keygen -s -D libsofthsm2.so, token key", s.hsm1(), null);
        out.println();

        out.println("Ratios, one run                                           1 thread   2 threads   target");
        double r1 = ratio(s.issue1(), s.raw1());
        double r2 = ratio(s.issue2(), s.raw2());
        row("issuance / raw JCA", fixed3(r1), fixed3(r2), String.format(Locale.ROOT, ">= %.2f  %s %s",
                ISSUANCE_VS_RAW_TARGET, verdict(r1 >= ISSUANCE_VS_RAW_TARGET), verdict(r2 >= ISSUANCE_VS_RAW_TARGET)));
        double p1 = s.paired1().rateRatioBToA();
        double p2 = s.paired2().rateRatioBToA();
        row("issuance / raw JCA, alternating ops, median times", fixed3(p1), fixed3(p2), String.format(Locale.ROOT,
                ">= %.2f  %s %s", ISSUANCE_VS_RAW_TARGET, verdict(p1 >= ISSUANCE_VS_RAW_TARGET),
                verdict(p2 >= ISSUANCE_VS_RAW_TARGET)));
        double h1 = ratio(s.issue1(), s.hsm1());
        row("issuance / ssh-keygen -s -D (sequential)", times(h1), times(ratio(s.issue2(), s.hsm1())),
                String.format(Locale.ROOT, ">= %.0fx  %s", ISSUANCE_VS_HSM_KEYGEN_TARGET,
                        verdict(h1 >= ISSUANCE_VS_HSM_KEYGEN_TARGET)));
        row("issuance / ssh-keygen -s, key file", times(ratio(s.issue1(), s.keygen1())),
                times(ratio(s.issue2(), s.keygen2())), "");
        // CPU time per operation moves less than wall-clock rates when other processes compete for the cores.
        row("issuance / raw JCA, by CPU time per op", fixed(s.raw1().cpuMicrosPerOp() / s.issue1().cpuMicrosPerOp()),
                fixed(s.raw2().cpuMicrosPerOp() / s.issue2().cpuMicrosPerOp()), "cross-check");
        row("2 threads / 1 thread, raw JCA", "", fixed(ratio(s.raw2(), s.raw1())), "");
        row("2 threads / 1 thread, issuance", "", fixed(ratio(s.issue2(), s.issue1())), "");
        out.println();

        out.printf(Locale.ROOT, "Operations in the kept measurements (1/2 threads): raw %,d/%,d, issuance %,d/%,d,"
                + " ssh-keygen -s %,d/%,d, -D %,d%n", s.raw1().ops(), s.raw2().ops(), s.issue1().ops(),
                s.issue2().ops(), s.keygen1().ops(), s.keygen2().ops(), s.hsm1().ops());
        out.printf(Locale.ROOT, "CPU time of this JVM per op (1/2 threads): raw %.0f/%.0f us,"
                + " issuance %.0f/%.0f us%n", s.raw1().cpuMicrosPerOp(), s.raw2().cpuMicrosPerOp(),
                s.issue1().cpuMicrosPerOp(), s.issue2().cpuMicrosPerOp());
        out.printf(Locale.ROOT, "Alternating ops, median time (1/2 threads): raw %.0f/%.0f us, issuance %.0f/%.0f us"
                + " over %,d/%,d pairs%n%n", s.paired1().medianA() / 1e3, s.paired2().medianA() / 1e3,
                s.paired1().medianB() / 1e3, s.paired2().medianB() / 1e3, s.paired1().pairs(), s.paired2().pairs());
    }

    void krl(KrlBench.Result k, long seed) {
        out.printf(Locale.ROOT, "KRL revoking %,d serials of the CA (%d ranges of %,d + %,d scattered, seed %d)%n",
                k.serials(), KrlBench.RANGES, KrlBench.RANGE_LENGTH, KrlBench.SCATTERED, seed);
        out.println("                                                          bytes        time");
        krlRow("Keyward KrlSpec + KrlWriter, in memory", k.oursBytes(), k.oursBestNanos(),
                "warm, best of " + k.oursWarmRounds());
        krlRow("", -1, k.oursFirstNanos(), "first run, cold JIT");
        krlRow("ssh-keygen -k -s ca.pub (a process; reads the spec)", k.sshKeygenBytes(), k.sshKeygenNanos(),
                k.sshKeygenRuns() == 1 ? "one run" : "best of " + k.sshKeygenRuns());
        out.println("  (both KRLs parsed: they revoke the same serials; ssh-keygen -Q reads ours as intended)");
        out.println();
        out.println("Targets                                                                          target");
        row("KRL size, ours / ssh-keygen's", fixed3((double) k.oursBytes() / k.sshKeygenBytes()), "",
                "<= 1.000  " + verdict(k.oursBytes() <= k.sshKeygenBytes()));
        row("KRL build time, ours (warm)", millis(k.oursBestNanos()), "",
                String.format(Locale.ROOT, "< %,d ms  %s", KRL_BUILD_TARGET_NANOS / 1_000_000,
                        verdict(k.oursBestNanos() < KRL_BUILD_TARGET_NANOS)));
        row("KRL time, ssh-keygen / ours (warm)", times((double) k.sshKeygenNanos() / k.oursBestNanos()), "", "");
        out.println();
    }

    private void rates(String label, Rate one, Rate two) {
        row(label, rate(one), rate(two), "");
    }

    private void row(String label, String one, String two, String target) {
        out.println(String.format(Locale.ROOT, "  %-54s %9s  %10s   %s", label, one, two, target).stripTrailing());
    }

    private void krlRow(String label, long bytes, long nanos, String note) {
        out.printf(Locale.ROOT, "  %-50s %11s  %,9.0f ms  %s%n", label,
                bytes < 0 ? "" : String.format(Locale.ROOT, "%,d", bytes), nanos / 1e6, note);
    }

    private static String rate(Rate r) {
        return r == null ? "-" : String.format(Locale.ROOT, "%,.0f/s", r.perSecond());
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** Three decimals where a value is compared with a two-decimal target, so 0.899 does not print as 0.90. */
    private static String fixed3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String times(double v) {
        return String.format(Locale.ROOT, "%,.0fx", v);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%,.0f ms", nanos / 1e6);
    }

    private static double ratio(Rate a, Rate b) {
        return a.perSecond() / b.perSecond();
    }

    private String verdict(boolean ok) {
        if (!ok) {
            missed++;
        }
        return ok ? "PASS" : "MISS";
    }
}
