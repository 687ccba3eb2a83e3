package dev.keyward.web.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link CpuTime#millisWithChildren}: what the benchmarks charge to PostgreSQL keeps the CPU of a backend that ended
 * between two samples (it used to vanish from the sum, and a run printed a negative figure). {@link CpuTime.Threads}:
 * the server's CPU split by its threads' names.
 */
@EnabledOnOs(OS.LINUX)
class CpuTimeTest {
    @Test
    void aChildThatEndedStillCounts() throws Exception {
        Path started = Files.createTempFile("cputime", ".flag");
        Files.delete(started);
        // the shell runs a CPU-bound child, waits for it (reaps it), says so, then idles until killed
        Process sh = new ProcessBuilder("sh", "-c", "sh -c 'i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done';"
                + " touch '" + started + "'; exec sleep 30").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(started) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(started), "the child finished");
            double own = CpuTime.millis(sh.pid());
            double withChildren = CpuTime.millisWithChildren(sh.pid());
            assertTrue(withChildren - own >= 50,
                    "the ended child's CPU is counted: " + withChildren + " ms against " + own + " ms of its own");
        } finally {
            sh.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(started);
        }
    }

    @Test
    void theServersThreadNamesFallIntoTheirGroups() {
        // as /proc shows them: at most 15 characters
        assertEquals("request threads", CpuTime.threadGroup("JettyServerThre\n"));
        assertEquals("request threads", CpuTime.threadGroup("qtp1234567-42"));
        assertEquals("batch workers", CpuTime.threadGroup("keyward-issue-1"));
        assertEquals("signing pool", CpuTime.threadGroup("keyward-sign"));
        assertEquals("JIT compilers", CpuTime.threadGroup("C2 CompilerThre"));
        assertEquals("JIT compilers", CpuTime.threadGroup("C1 CompilerThre"));
        assertEquals("other", CpuTime.threadGroup("GC Thread#0"));
        assertEquals("other", CpuTime.threadGroup("keyward-audit-c"));
    }

    @Test
    void aThreadsCpuIsChargedToItsGroupAndAnEndedThreadsToOther() throws Exception {
        long pid = ProcessHandle.current().pid();
        CpuTime.Threads before = CpuTime.Threads.take(pid);
        Thread signer = new Thread(() -> burn(300), "keyward-sign");
        signer.start();
        signer.join(); // ended: gone from /proc/PID/task, still in the process's total
        Thread worker = new Thread(() -> {
            burn(300);
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // done
            }
        }, "keyward-issue-0");
        worker.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (worker.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            var perOp = CpuTime.Threads.take(pid).perOp(before, 1);
            assertEquals(CpuTime.THREAD_GROUPS, java.util.List.copyOf(perOp.keySet()));
            assertTrue(perOp.get("batch workers") >= 200, "the live worker's CPU: " + perOp);
            assertTrue(perOp.get("signing pool") < 100, "the ended thread is not in its group: " + perOp);
            assertTrue(perOp.get("other") >= 200, "the ended thread's CPU is in other: " + perOp);
        } finally {
            worker.interrupt();
            worker.join(10_000);
        }
    }

    /** Spins for about {@code millis} of CPU time of the calling thread. */
    static void burn(long millis) {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = mx.getCurrentThreadCpuTime();
        long x = 0;
        while (mx.getCurrentThreadCpuTime() - start < millis * 1_000_000) {
            for (int i = 0; i < 10_000; i++) {
                x += i * 31L ^ x;
            }
        }
        if (x == 42) {
            System.out.print("");
        }
    }
}
