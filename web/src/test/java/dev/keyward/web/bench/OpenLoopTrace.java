package dev.keyward.web.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * One open-loop run request by request, to say where the slowest 1% lost their time: waiting for a free connection
 * on the load generator (the server was slow to answer earlier requests), and on the server each phase of its
 * {@code Server-Timing} answer ({@code http.server_timing}: before the batch queue, in the queue, the batch's
 * database look-up, signing, writing, the commit with its WAL flush, back to the request's thread), and what lies
 * outside the server's application code (Jetty, writing the JSON answer, the loopback, the load generator reading
 * it). Beside that: whether the slow requests overlapped a GC pause of the server (its GC log), how many PostgreSQL
 * checkpoints ran, and how much CPU the server's JIT compilers took during the run.
 */
final class OpenLoopTrace {
    static final String[] PHASES = {"pre", "queue", "db", "sign", "write", "commit", "post"};
    private static final int APP = PHASES.length;

    private final long[] latency;
    private final long[] sendDelay;
    private final long[] doneAt;
    private final float[][] phases;
    private final int[] batch;
    /** nanoTime + this = epoch nanoseconds (to line requests up with the server's GC log). */
    private final long epochOffset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    OpenLoopTrace(int requests) {
        latency = new long[requests];
        Arrays.fill(latency, -1);
        sendDelay = new long[requests];
        doneAt = new long[requests];
        phases = new float[requests][];
        batch = new int[requests];
    }

    /** Request {@code i} is being sent at {@code sentAt} (nanoTime; {@link #done} turns it into the wait). */
    void sending(long i, long sentAt) {
        sendDelay[(int) i] = sentAt;
    }

    /** Request {@code i}'s answer carried this {@code Server-Timing} value (null: none). */
    void answered(long i, String serverTiming) {
        float[] p = parse(serverTiming);
        if (p == null) {
            return;
        }
        batch[(int) i] = (int) p[APP + 1];
        phases[(int) i] = Arrays.copyOf(p, APP + 1);
    }

    /**
     * A {@code Server-Timing} value as ms per phase ({@link #PHASES} in order), then the application's whole time
     * ({@code app}), then the batch's size; null for none.
     */
    static float[] parse(String serverTiming) {
        if (serverTiming == null) {
            return null;
        }
        float[] p = new float[APP + 2];
        for (String part : serverTiming.split(",")) {
            String[] f = part.strip().split(";");
            if (f.length != 2) {
                continue;
            }
            if (f[0].equals("batch") && f[1].startsWith("desc=")) {
                p[APP + 1] = Integer.parseInt(f[1].substring(5));
                continue;
            }
            int at = f[0].equals("app") ? APP : Arrays.asList(PHASES).indexOf(f[0]);
            if (at >= 0 && f[1].startsWith("dur=")) {
                p[at] = Float.parseFloat(f[1].substring(4));
            }
        }
        return p;
    }

    /** Request {@code i} was answered at {@code now}, {@code latencyNanos} after it was due. */
    void done(long i, long latencyNanos, long now) {
        int k = (int) i;
        latency[k] = latencyNanos;
        doneAt[k] = now;
        long due = now - latencyNanos;
        sendDelay[k] = Math.max(0, sendDelay[k] - due); // it held the send instant until now
    }

    /** A server GC pause: start and end in epoch milliseconds. */
    record Pause(double startMs, double endMs) {
        double millis() {
            return endMs - startMs;
        }
    }

    // -Xlog:gc:file=...:utctime → "[2026-12-04T23:01:02.123+0000] GC(12) Pause Young (Allocation Failure) 260M->12M(981M) 3.456ms"
    private static final Pattern PAUSE = Pattern.compile("^\\[([^\\]]+)\\].* Pause .* ([0-9.]+)ms$");
    private static final DateTimeFormatter UTCTIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    /** The pauses in a {@code -Xlog:gc:...:utctime} log (the time stamp is written as the pause ends). */
    static List<Pause> pauses(Path gcLog) {
        List<Pause> out = new ArrayList<>();
        if (gcLog == null || !Files.isRegularFile(gcLog)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = PAUSE.matcher(line.strip());
                if (m.matches()) {
                    double end = OffsetDateTime.parse(m.group(1), UTCTIME).toInstant().toEpochMilli();
                    out.add(new Pause(end - Double.parseDouble(m.group(2)), end));
                }
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    /**
     * What ran beside the requests: PostgreSQL checkpoints (count, write and sync ms), the server's JIT CPU ms, and
     * the autovacuum/autoanalyze runs that started or ended in the run (e.g. "vacuum certificates" → 1), the WAL bytes
     * written and the WAL segment files added (-1: not known).
     */
    record Beside(long checkpoints, double checkpointWriteMs, double checkpointSyncMs, double jitCpuMs,
            java.util.Map<String, Long> autovacuums, long walBytes, long newWalFiles) {
    }

    /** Prints the tail and where the slowest 1% spent their time, against all requests. */
    void print(Consumer<String> out, List<Pause> serverPauses, Beside beside) {
        int[] answered = IntStream.range(0, latency.length).filter(i -> latency[i] >= 0).toArray();
        if (answered.length == 0) {
            return;
        }
        Integer[] order = Arrays.stream(answered).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingLong((Integer i) -> latency[i]).reversed());
        int slowN = Math.max(1, answered.length / 100);
        int[] slow = Arrays.stream(order, 0, slowN).mapToInt(Integer::intValue).toArray();
        long p999 = latency[order[Math.min(order.length - 1, (int) Math.floor(order.length * 0.001))]];
        out.accept(String.format(Locale.ROOT, "  tail: p99.9 %.2f ms, max %.2f ms; the slowest 1%% (%d requests, from"
                + " %.2f ms) against all %d, mean ms per request:", p999 / 1e6, latency[order[0]] / 1e6, slowN,
                latency[slow[slowN - 1]] / 1e6, answered.length));
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "    %-12s %8s %10s", "", "latency",
                "conn-wait"));
        for (String p : PHASES) {
            head.append(String.format(Locale.ROOT, " %7s", p));
        }
        out.accept(head.append(String.format(Locale.ROOT, " %8s %6s", "outside", "batch")).toString());
        out.accept(row("slowest 1%", slow));
        out.accept(row("all", answered));
        behind(out, order[0]);
        List<Pause> inRun = new ArrayList<>();
        double runStart = (doneAt[answered[0]] - latency[answered[0]] + epochOffset) / 1e6;
        double runEnd = Arrays.stream(answered).mapToDouble(i -> (doneAt[i] + epochOffset) / 1e6).max().orElse(runStart);
        for (Pause p : serverPauses) {
            if (p.endMs() >= runStart && p.startMs() <= runEnd) {
                inRun.add(p);
            }
        }
        long overlapped = Arrays.stream(slow).filter(i -> {
            double from = (doneAt[i] - latency[i] + epochOffset) / 1e6;
            double to = (doneAt[i] + epochOffset) / 1e6;
            return inRun.stream().anyMatch(p -> p.startMs() <= to && p.endMs() >= from);
        }).count();
        out.accept(String.format(Locale.ROOT, "    server GC: %d pauses in the run (longest %.1f ms, %.1f ms in all); %d of"
                + " the %d slowest overlapped one", inRun.size(), inRun.stream().mapToDouble(Pause::millis).max()
                .orElse(0), inRun.stream().mapToDouble(Pause::millis).sum(), overlapped, slowN));
        out.accept(String.format(Locale.ROOT, "    PostgreSQL checkpoints in the run: %d (write %.0f ms, sync %.0f ms);"
                + " the server's JIT compilers: %.0f ms of CPU; autovacuum: %s", beside.checkpoints(),
                beside.checkpointWriteMs(), beside.checkpointSyncMs(), beside.jitCpuMs(),
                beside.autovacuums().isEmpty() ? "none finished" : beside.autovacuums().entrySet().stream()
                        .map(e -> e.getKey() + (e.getValue() > 1 ? " x" + e.getValue() : ""))
                        .collect(java.util.stream.Collectors.joining(", ")) + " finished"));
        out.accept(String.format(Locale.ROOT, "    WAL written in the run: %.1f MB; new segment files in pg_wal: %s",
                beside.walBytes() / 1e6, beside.newWalFiles() < 0 ? "n/a" : Long.toString(beside.newWalFiles())));
    }

    /**
     * The batches the slowest request waited behind in the queue: each batch's requests carry the same phase
     * durations, which group them; its start on the load generator's clock is when its requests were due, plus the
     * wait for a connection, {@code pre} and {@code queue} (System.nanoTime is one clock for every process here).
     * Between the batches lies the time the worker spent outside them.
     */
    private void behind(Consumer<String> out, int worst) {
        if (phases[worst] == null) {
            return;
        }
        long t0 = Arrays.stream(doneAt).filter(t -> t > 0).min().orElse(0);
        java.util.Map<String, double[]> batches = new java.util.HashMap<>(); // start ms, size, db, sign, write, commit
        for (int i = 0; i < latency.length; i++) {
            float[] p = phases[i];
            if (latency[i] < 0 || p == null) {
                continue;
            }
            double start = (doneAt[i] - latency[i] + sendDelay[i] - t0) / 1e6 + p[0] + p[1];
            String key = batch[i] + "/" + p[2] + "/" + p[3] + "/" + p[4] + "/" + p[5];
            int size = batch[i];
            double[] b = batches.computeIfAbsent(key, k -> new double[] {Double.MAX_VALUE, size, p[2], p[3], p[4], p[5]});
            b[0] = Math.min(b[0], start);
        }
        float[] w = phases[worst];
        double enqueued = (doneAt[worst] - latency[worst] + sendDelay[worst] - t0) / 1e6 + w[0];
        double own = enqueued + w[1];
        // from the batch at work when it arrived to its own
        List<double[]> ahead = batches.values().stream().filter(b -> b[0] + b[2] + b[3] + b[4] + b[5] >= enqueued
                && b[0] <= own + 0.05)
                .sorted(Comparator.comparingDouble(b -> b[0])).toList();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "    the slowest request queued %.1f ms; the"
                + " batches from its arrival to its own (start ms from its arrival: certs, db/sign/write/commit ms):",
                w[1]));
        double prevEnd = Double.NaN;
        for (double[] b : ahead.subList(Math.max(0, ahead.size() - 8), ahead.size())) {
            if (!Double.isNaN(prevEnd) && b[0] - prevEnd > 1) {
                line.append(String.format(Locale.ROOT, " [%.1f ms outside a batch]", b[0] - prevEnd));
            }
            line.append(String.format(Locale.ROOT, " %+.1f: %.0f, %.1f/%.1f/%.1f/%.1f;", b[0] - enqueued, b[1], b[2],
                    b[3], b[4], b[5]));
            prevEnd = b[0] + b[2] + b[3] + b[4] + b[5];
        }
        out.accept(line.toString());
    }

    private String row(String name, int[] which) {
        double lat = 0;
        double wait = 0;
        double outside = 0;
        double batches = 0;
        double[] ph = new double[APP];
        int timed = 0;
        for (int i : which) {
            lat += latency[i] / 1e6;
            wait += sendDelay[i] / 1e6;
            if (phases[i] != null) {
                timed++;
                for (int p = 0; p < APP; p++) {
                    ph[p] += phases[i][p];
                }
                outside += latency[i] / 1e6 - sendDelay[i] / 1e6 - phases[i][APP];
                batches += batch[i];
            }
        }
        int n = which.length;
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "    %-12s %8.2f %10.2f", name, lat / n, wait / n));
        for (int p = 0; p < APP; p++) {
            b.append(timed == 0 ? String.format(Locale.ROOT, " %7s", "-")
                    : String.format(Locale.ROOT, " %7.2f", ph[p] / timed));
        }
        return b.append(timed == 0 ? String.format(Locale.ROOT, " %8s %6s", "-", "-")
                : String.format(Locale.ROOT, " %8.2f %6.1f", outside / timed, batches / timed)).toString();
    }
}
