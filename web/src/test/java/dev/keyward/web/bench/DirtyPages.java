package dev.keyward.web.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's page cache waiting to be written (Dirty + Writeback in {@code /proc/meminfo}), and a way to write it
 * back between two phases of a benchmark: the closed loop at 64 clients dirties it at several thousand certificates
 * a second, and the kernel writes that back about 30 s later ({@code vm.dirty_expire_centisecs}), which is when the
 * first open-loop run is measuring, so that run measured the previous phase's writeback (every full run whose worst
 * maximum was over 40 ms had it in run 1, behind one slow commit).
 */
final class DirtyPages {
    private DirtyPages() {
    }

    /** Bytes of dirty and under-writeback pages, or -1 where {@code /proc/meminfo} cannot be read. */
    static long bytes() {
        try {
            long kb = 0;
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("Dirty:") || line.startsWith("Writeback:")) {
                    kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return kb * 1024;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Writes the page cache back ({@code sync}, at most 120 s) and says how much there was and how long it took. */
    static String settle() {
        long before = bytes();
        long t0 = System.nanoTime();
        try {
            Process p = new ProcessBuilder("sync").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "sync did not finish within 120 s: the open loop starts with the kernel still writing back";
            }
        } catch (IOException e) {
            return "cannot run sync (" + e.getMessage() + "): the open loop starts with the page cache as it is";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while writing the page cache back";
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return before < 0 ? String.format(java.util.Locale.ROOT, "page cache written back (sync, %.1f s)", seconds)
                : String.format(java.util.Locale.ROOT, "the phases before left %.0f MB of the page cache to write back;"
                        + " written before the open loop (sync, %.1f s), so that its first run does not measure the"
                        + " kernel writing them", before / 1e6, seconds);
    }
}
