package dev.keyward.web.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CpuProfile} against a JVM it samples with {@code jcmd}: this test's own, where a thread named like the
 * server's signing pool burns CPU in a method of Keyward's code ({@code CpuTimeTest.burn}).
 */
class CpuProfileTest {
    @Test
    void samplesAThreadsCpuByItsGroupAndItsNearestKeywardMethod(@TempDir Path dir) throws Exception {
        assumeTrue(CpuProfile.supported(), "the CPU-time sampler needs JDK 25 on Linux");
        long pid = ProcessHandle.current().pid();
        Path file = dir.resolve("cpu.jfr");
        CpuProfile.start(pid);
        Thread signer = new Thread(() -> CpuTimeTest.burn(400), "keyward-sign");
        signer.start();
        signer.join();
        CpuProfile.stop(pid, file);
        assertTrue(Files.size(file) > 0, "the recording was written");

        CpuProfile.Summary s = CpuProfile.read(file);
        CpuProfile.Group g = s.groups().get("signing pool");
        assertTrue(g.samples() >= 50, "400 ms of CPU sampled about once a millisecond: " + g);
        String top = g.byKeyward().entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertEquals("CpuTimeTest.burn", top, "the samples are charged to the Keyward method that burnt them: "
                + g.byKeyward());
        assertEquals(CpuTime.THREAD_GROUPS, java.util.List.copyOf(s.groups().keySet()));

        var lines = s.lines(Map.of("signing pool", 0.05), 3);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("signing pool, 0.050 ms per certificate, ")), "" + lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("for Keyward's CpuTimeTest.burn ")), "" + lines);
    }

    @Test
    void aSecondStopWithoutAStartIsRefused(@TempDir Path dir) {
        assumeTrue(CpuProfile.supported(), "the CPU-time sampler needs JDK 25 on Linux");
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> CpuProfile.stop(ProcessHandle.current().pid(), dir.resolve("none.jfr")));
        assertTrue(e.getMessage().contains("JFR.stop"), e.getMessage());
    }
}
