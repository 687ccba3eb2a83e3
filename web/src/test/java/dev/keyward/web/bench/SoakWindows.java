package dev.keyward.web.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The windows of a soak run: a warm-up of a given length (not judged), then whole minutes; and the first detail of
 * each kind of failure, for the summary.
 */
final class SoakWindows {
    private static final long MINUTE_NANOS = 60_000_000_000L;
    private final long startNanos;
    private final long warmUpNanos;
    private final SoakWindow warmUp = new SoakWindow();
    private final SoakWindow[] minutes;
    private final Map<String, String> firstDetail = new ConcurrentSkipListMap<>();

    SoakWindows(long startNanos, long warmUpNanos, int minutes) {
        this.startNanos = startNanos;
        this.warmUpNanos = warmUpNanos;
        this.minutes = new SoakWindow[minutes];
        for (int m = 0; m < minutes; m++) {
            this.minutes[m] = new SoakWindow();
        }
    }

    /** When the last minute ends. */
    long endNanos() {
        return endOf(minutes.length - 1);
    }

    long warmUpEnd() {
        return startNanos + warmUpNanos;
    }

    /** When minute {@code m} (0-based, after the warm-up) ends. */
    long endOf(int m) {
        return startNanos + warmUpNanos + (m + 1) * MINUTE_NANOS;
    }

    SoakWindow warmUp() {
        return warmUp;
    }

    /** Minute {@code m} (0-based, after the warm-up); past the end, the last one. */
    SoakWindow minute(long m) {
        return minutes[(int) Math.min(minutes.length - 1, m)];
    }

    /** The window the present falls in (the last minute for anything that finishes after the run). */
    SoakWindow now() {
        long t = System.nanoTime() - startNanos - warmUpNanos;
        return t < 0 ? warmUp : minute(t / MINUTE_NANOS);
    }

    /** Counts a failure of kind {@code what} in {@code w}, keeping the first detail seen for that kind. */
    void failed(SoakWindow w, String what, String detail) {
        w.failed(what);
        firstDetail.putIfAbsent(what, detail.length() > 200 ? detail.substring(0, 200) : detail);
    }

    Map<String, String> firstDetails() {
        return firstDetail;
    }

    /** Failures in the whole run, warm-up included: only latency is excused there. */
    long failures() {
        long n = warmUp.failures();
        for (SoakWindow w : minutes) {
            n += w.failures();
        }
        return n;
    }
}
