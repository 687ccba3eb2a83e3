package dev.keyward.web.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * What a soak run watches of the server between minutes: its resident memory, threads and open files from
 * {@code /proc/PID} (Linux), its heap from its own {@code /metrics}, its CPU share, the size of its PostgreSQL
 * database and the machine's load average.
 *
 * <p>Heap after GC: with the parallel collector (the launcher's default) the old generation and the survivor space
 * change only during a collection, and eden is empty after every one, so the heap pools other than eden
 * ({@code jvm_memory_used_bytes{area="heap"}}) are the heap in use after the last collection. Micrometer's
 * {@code jvm_gc_live_data_size_bytes} is the old generation after the last full collection ("live"); with a large
 * old generation full collections are rare, so it may stay at its start-up value.
 */
final class ServerProbe implements AutoCloseable {
    private static final double MB = 1024 * 1024;
    private final long pid;
    private final String host;
    private final int port;
    private final String jdbc;
    private final Properties login;
    private Connection db;
    private double lastCpuMs;
    private long lastNanos;

    /** One look at the server; NaN (or -1) for what could not be read. */
    record Sample(double rssMb, int threads, int fds, double heapMb, double liveMb, double dbMb, double cpuPercent,
            double load1) {
    }

    ServerProbe(long pid, String host, int port, String jdbc, Properties login) {
        this.pid = pid;
        this.host = host;
        this.port = port;
        this.jdbc = jdbc;
        this.login = login;
        this.lastCpuMs = CpuTime.millis(pid);
        this.lastNanos = System.nanoTime();
    }

    Sample take() {
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        double rss = statusField(status, "VmRSS:") / 1024.0; // kB
        double threadCount = statusField(status, "Threads:");
        int threads = Double.isNaN(threadCount) ? -1 : (int) threadCount;
        int fds;
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = (int) s.count();
        } catch (IOException e) {
            fds = -1;
        }
        double heap = Double.NaN;
        double live = Double.NaN;
        try (MiniHttp c = new MiniHttp(host, port)) {
            heap = 0;
            for (String line : c.send(MiniHttp.get(host, port, "/metrics")).text().split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"") && !line.contains("Eden")) {
                    heap += value(line);
                } else if (line.startsWith("jvm_gc_live_data_size_bytes ")) {
                    live = value(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            heap = Double.NaN;
        }
        double cpuMs = CpuTime.millis(pid);
        long now = System.nanoTime();
        double cpu = cpuMs == 0 ? Double.NaN : (cpuMs - lastCpuMs) / ((now - lastNanos) / 1e6) * 100; // 0: gone
        lastCpuMs = cpuMs;
        lastNanos = now;
        String loadavg = read(Path.of("/proc/loadavg"));
        double load1 = loadavg.isEmpty() ? Double.NaN : Double.parseDouble(loadavg.split(" ")[0]);
        return new Sample(rss, threads, fds, heap / MB, live / MB, databaseBytes() / MB, cpu, load1);
    }

    /** {@code pg_database_size('keyward')}, over one connection kept open between samples; NaN when it fails. */
    private double databaseBytes() {
        try {
            if (db == null || !db.isValid(5)) {
                close();
                db = DriverManager.getConnection(jdbc, login);
            }
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_database_size('keyward')")) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            return Double.NaN;
        }
    }

    private static double value(String metricLine) {
        return Double.parseDouble(metricLine.substring(metricLine.lastIndexOf(' ') + 1));
    }

    /** The number after {@code name} in /proc/PID/status ({@code VmRSS:    123456 kB}); NaN when absent. */
    private static double statusField(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                return Double.parseDouble(line.substring(name.length()).strip().split("\\s+")[0]);
            }
        }
        return Double.NaN;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (db != null) {
            try {
                db.close();
            } catch (SQLException ignored) {
                // a connection we are done with
            }
            db = null;
        }
    }
}
