package dev.keyward.web.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the server's CPU goes, by method: JDK 25's CPU-time sampler ({@code jdk.CPUTimeSample}, Linux) on the server
 * for one run, started and stopped with {@code jcmd}. Unlike the execution sampler it samples by CPU time spent, native
 * code included (the PKCS#11 calls, the socket writes), with each sample's whole Java stack. Each thread group
 * ({@link CpuTime#threadGroup}) is summarised by the nearest method of Keyward's own code on each sample's stack (what
 * it was doing the work for: {@code Pkcs11Signer.sign}, {@code Json.send}, {@code IssuanceStatements.write}) and by
 * the leaf method (what burnt it: {@code PKCS11.C_SignInit}, {@code SocketDispatcher.writev0}).
 */
final class CpuProfile {
    static final String EVENT = "jdk.CPUTimeSample";
    private static final String NAME = "keyward-bench-profile";
    /** Samples whose stack has no method of Keyward's own code (Jetty parsing a request, a selector). */
    static final String OUTSIDE = "(no Keyward frame)";

    private CpuProfile() {
    }

    /** Whether this JDK has the CPU-time sampler (JDK 25 on Linux). */
    static boolean supported() {
        return Runtime.version().feature() >= 25 && System.getProperty("os.name", "").startsWith("Linux");
    }

    /** Starts sampling the CPU of JVM {@code pid} (same JDK as this one) about once per millisecond of CPU. */
    static void start(long pid) throws IOException, InterruptedException {
        // JFR's default settings (its low-overhead set, meant to stay on in production) with the sampler on: the
        // event's options exist only in a settings file that names it
        jcmd(pid, "Started recording", "JFR.start", "name=" + NAME, "settings=default", EVENT + "#enabled=true",
                EVENT + "#throttle=1ms");
    }

    /** Stops the sampling and writes the samples to {@code file}. */
    static void stop(long pid, Path file) throws IOException, InterruptedException {
        jcmd(pid, "Stopped recording", "JFR.stop", "name=" + NAME, "filename=" + file.toAbsolutePath());
    }

    /** Runs {@code jcmd pid command...}; fails unless it exits 0, says {@code expect} and warns of nothing. */
    private static void jcmd(long pid, String expect, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command[0] + " did not finish within 60 s");
        }
        if (p.exitValue() != 0 || !out.contains(expect) || out.contains("Warning")) {
            throw new IOException("jcmd " + String.join(" ", command) + ": " + out.strip());
        }
    }

    /** The samples of one thread group: how many, and how many by nearest Keyward method and by leaf method. */
    record Group(int samples, Map<String, Integer> byKeyward, Map<String, Integer> byLeaf) {
    }

    /** The samples of a recording, by thread group ({@link CpuTime#THREAD_GROUPS}' order), and how many were lost. */
    record Summary(Map<String, Group> groups, long lost) {
        int samples() {
            return groups.values().stream().mapToInt(Group::samples).sum();
        }

        /**
         * A line per group that has samples: its CPU ms per certificate ({@code msPerCert}, from /proc), its samples,
         * the nearest Keyward methods and the leaf methods with their shares of the group's samples, {@code top} each.
         */
        List<String> lines(Map<String, Double> msPerCert, int top) {
            List<String> out = new ArrayList<>();
            for (var e : groups.entrySet()) {
                Group g = e.getValue();
                if (g.samples() == 0) {
                    continue;
                }
                out.add(String.format(Locale.ROOT, "%s, %.3f ms per certificate, %,d samples:", e.getKey(),
                        msPerCert.getOrDefault(e.getKey(), 0.0), g.samples()));
                out.add("  for Keyward's " + shares(g.byKeyward(), g.samples(), top));
                out.add("  in " + shares(g.byLeaf(), g.samples(), top));
            }
            return out;
        }

        private static String shares(Map<String, Integer> counts, int total, int top) {
            return String.join(", ", counts.entrySet().stream()
                    .sorted((a, b) -> Integer.compare(b.getValue(), a.getValue())).limit(top)
                    .map(c -> String.format(Locale.ROOT, "%s %.0f%%", c.getKey(), 100.0 * c.getValue() / total))
                    .toList());
        }
    }

    /** Reads the CPU-time samples of {@code file}. */
    static Summary read(Path file) throws IOException {
        Map<String, Integer> samples = new HashMap<>();
        Map<String, Map<String, Integer>> byKeyward = new HashMap<>();
        Map<String, Map<String, Integer>> byLeaf = new HashMap<>();
        long lost = 0;
        try (RecordingFile f = new RecordingFile(file)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                String type = e.getEventType().getName();
                if (type.equals("jdk.CPUTimeSamplesLost")) {
                    lost += e.getLong("lostSamples");
                    continue;
                }
                if (!type.equals(EVENT)) {
                    continue;
                }
                RecordedThread t = e.getThread("eventThread");
                String group = CpuTime.threadGroup(t == null || t.getJavaName() == null ? "" : t.getJavaName());
                RecordedStackTrace st = e.getStackTrace();
                List<RecordedFrame> frames = st == null ? List.of() : st.getFrames();
                samples.merge(group, 1, Integer::sum);
                byLeaf.computeIfAbsent(group, k -> new HashMap<>())
                        .merge(frames.isEmpty() ? "(no stack)" : label(frames.get(0)), 1, Integer::sum);
                byKeyward.computeIfAbsent(group, k -> new HashMap<>()).merge(nearestKeyward(frames), 1, Integer::sum);
            }
        }
        Map<String, Group> groups = new LinkedHashMap<>();
        for (String g : CpuTime.THREAD_GROUPS) {
            groups.put(g, new Group(samples.getOrDefault(g, 0), byKeyward.getOrDefault(g, Map.of()),
                    byLeaf.getOrDefault(g, Map.of())));
        }
        return new Summary(groups, lost);
    }

    /** The first method of Keyward's own code from the leaf, lambdas skipped; {@link #OUTSIDE} when there is none. */
    static String nearestKeyward(List<RecordedFrame> frames) {
        for (RecordedFrame fr : frames) {
            String type = fr.getMethod().getType().getName();
            String method = fr.getMethod().getName();
            if (type.startsWith("dev.keyward.") && !type.contains("$$Lambda") && !method.startsWith("lambda$")) {
                return label(fr);
            }
        }
        return OUTSIDE;
    }

    /** {@code SimpleClass.method}, nested classes with their outer class ({@code Outer$Inner.method}). */
    private static String label(RecordedFrame fr) {
        String type = fr.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + fr.getMethod().getName();
    }
}
