package dev.keyward.web.db.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A running postmaster, as its {@code postmaster.pid} describes it (PostgreSQL's miscadmin.h: line 1 the PID,
 * line 4 the port, line 8 the status) and checked against the process table: the PID must be alive and have the
 * data directory as its working directory (the postmaster changes into it), so that a stale file whose PID was
 * reused by some other process is never taken for a database, let alone signalled.
 *
 * @param pid    the postmaster's process ID
 * @param port   its TCP port
 * @param uid    the user it runs as
 * @param ready  whether it accepts connections (status {@code ready})
 */
record Postmaster(long pid, int port, int uid, boolean ready) {
    static Optional<Postmaster> read(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
            if (lines.size() < 4) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).strip());
            int port = Integer.parseInt(lines.get(3).strip());
            boolean ready = lines.size() >= 8 && lines.get(7).strip().equals("ready");
            Path proc = Path.of("/proc", Long.toString(pid));
            if (!Files.exists(proc) || !Files.readSymbolicLink(proc.resolve("cwd")).equals(dataDir.toRealPath())) {
                return Optional.empty();
            }
            int uid = (Integer) Files.getAttribute(proc, "unix:uid");
            return Optional.of(new Postmaster(pid, port, uid, ready));
        } catch (IOException | NumberFormatException e) {
            // unreadable, half-written, or the process is gone: no live postmaster there
            return Optional.empty();
        }
    }

    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Waits up to {@code timeout} for the process to end; whether it did. */
    boolean awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (alive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !alive();
            }
        }
        return true;
    }
}
