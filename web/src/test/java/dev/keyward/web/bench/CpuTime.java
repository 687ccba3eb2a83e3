package dev.keyward.web.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time (user + system) of processes from {@code /proc/PID/stat}, to say what one certificate costs in CPU on
 * a machine where the server, PostgreSQL and the load generator share the cores. Linux only; zero elsewhere.
 */
final class CpuTime {
    /** USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on every mainstream Linux build. */
    private static final double TICKS_PER_SECOND = 100;

    private CpuTime() {
    }

    /** CPU milliseconds used so far by {@code pid}. */
    static double millis(long pid) {
        String[] f = fields(pid);
        return f == null ? 0 : cpuMillis(f);
    }

    /**
     * CPU milliseconds of {@code parent} and its direct children (PostgreSQL: the postmaster and its backends), those
     * that ended and were reaped included (the parent's cutime and cstime): a backend or autovacuum worker that exits
     * between two samples still counts, and the difference of two samples is never negative.
     */
    static double millisWithChildren(long parent) {
        String[] self = fields(parent);
        if (self == null) {
            return 0;
        }
        double ended = (Long.parseLong(self[13]) + Long.parseLong(self[14])) * 1000 / TICKS_PER_SECOND;
        double total = cpuMillis(self) + ended;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String[] f = fields(Long.parseLong(p.getFileName().toString()));
                if (f != null && Long.parseLong(f[1]) == parent) {
                    total += cpuMillis(f);
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    /** CPU milliseconds used so far by the JIT compiler threads of JVM {@code pid} (those alive now). */
    static double compilerMillis(long pid) {
        Threads t = Threads.take(pid);
        return t.millis().entrySet().stream().filter(e -> JIT.equals(t.group().get(e.getKey())))
                .mapToDouble(java.util.Map.Entry::getValue).sum();
    }

    /** The thread group of the JIT compilers ("C1/C2 CompilerThread"). */
    static final String JIT = "JIT compilers";

    /**
     * The group a thread of the server belongs to, by its name as {@code /proc/PID/task/TID/comm} shows it (at most 15
     * characters): the request threads (Jetty's pool, selectors included), the issuance batch workers, the signing
     * pool, the JIT compilers, or other (GC, the audit checkpointer, the console's jobs, ...).
     */
    static String threadGroup(String comm) {
        String c = comm.strip();
        if (c.startsWith("JettyServerThre") || c.startsWith("qtp")) {
            return "request threads";
        }
        if (c.startsWith("keyward-issue")) {
            return "batch workers";
        }
        if (c.equals("keyward-sign")) {
            return "signing pool";
        }
        if (c.matches("C[12] CompilerThre.*")) {
            return JIT;
        }
        return "other";
    }

    /** The groups of {@link #threadGroup}, in the order the bench prints them. */
    static final List<String> THREAD_GROUPS = List.of("request threads", "batch workers", "signing pool", JIT,
            "other");

    /** CPU milliseconds so far of each live thread of JVM {@code pid}: its group and CPU by thread id. */
    record Threads(java.util.Map<Long, String> group, java.util.Map<Long, Double> millis, double process) {
        static Threads take(long pid) {
            java.util.Map<Long, String> group = new java.util.HashMap<>();
            java.util.Map<Long, Double> millis = new java.util.HashMap<>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path t : tasks.toList()) {
                    String comm = readOrNull(t.resolve("comm"));
                    String[] f = comm == null ? null : fields(t.resolve("stat"));
                    if (f != null) { // null: the thread ended meanwhile
                        long tid = Long.parseLong(t.getFileName().toString());
                        group.put(tid, threadGroup(comm));
                        millis.put(tid, cpuMillis(f));
                    }
                }
            } catch (IOException | RuntimeException e) {
                return new Threads(java.util.Map.of(), java.util.Map.of(), 0);
            }
            return new Threads(group, millis, CpuTime.millis(pid));
        }

        /**
         * CPU milliseconds per operation of each group between {@code before} and this snapshot, in
         * {@link #THREAD_GROUPS}' order; a thread that started meanwhile counts from zero, and what threads that
         * ended meanwhile used (gone from /proc) is in "other", as the process's total less the live threads.
         */
        java.util.LinkedHashMap<String, Double> perOp(Threads before, long ops) {
            java.util.LinkedHashMap<String, Double> out = new java.util.LinkedHashMap<>();
            THREAD_GROUPS.forEach(g -> out.put(g, 0.0));
            if (ops <= 0) {
                return out;
            }
            double live = 0;
            for (var e : millis.entrySet()) {
                double d = e.getValue() - before.millis.getOrDefault(e.getKey(), 0.0);
                live += d;
                out.merge(group.get(e.getKey()), d / ops, Double::sum);
            }
            out.merge("other", Math.max(0, (process - before.process) - live) / ops, Double::sum);
            return out;
        }
    }

    /**
     * The fields after "(comm)": f[0] is state (field 3), f[1] ppid (4), f[11] utime (14), f[12] stime (15), f[13]
     * cutime (16) and f[14] cstime (17): the CPU of its children that ended and were waited for.
     */
    private static String[] fields(long pid) {
        return fields(Path.of("/proc", Long.toString(pid), "stat"));
    }

    private static String[] fields(Path stat) {
        String s = readOrNull(stat);
        return s == null ? null : s.substring(s.lastIndexOf(')') + 2).split(" ");
    }

    private static double cpuMillis(String[] f) {
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / TICKS_PER_SECOND;
    }

    private static String readOrNull(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Snapshot of the three parties. */
    record Sample(double server, double postgres, double client) {
        static Sample take(long serverPid, long postmasterPid) {
            return new Sample(serverPid > 0 ? millis(serverPid) : 0,
                    postmasterPid > 0 ? millisWithChildren(postmasterPid) : 0, millis(ProcessHandle.current().pid()));
        }

        /** CPU ms per operation between {@code before} and this sample. */
        String perOp(Sample before, long ops) {
            if (ops == 0) {
                return "n/a";
            }
            return String.format(java.util.Locale.ROOT, "%.2f / %.2f / %.2f", (server - before.server) / ops,
                    (postgres - before.postgres) / ops, (client - before.client) / ops);
        }
    }

    static long postmasterPid(Path dataDir) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
            return Long.parseLong(lines.get(0).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
