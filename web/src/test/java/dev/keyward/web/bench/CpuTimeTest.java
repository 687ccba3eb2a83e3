package dev.keyward.web.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link CpuTime#millisWithChildren}: what the benchmarks charge to PostgreSQL keeps the CPU of a backend that ended
 * between two samples (it used to vanish from the sum, and a run printed a negative figure).
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
}
