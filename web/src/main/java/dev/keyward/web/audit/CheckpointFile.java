package dev.keyward.web.audit;

import dev.keyward.ca.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads checkpoint lines from a file: the sink file, or a syslog collector's log (other lines are counted and
 * skipped; a checkpoint line may follow the collector's prefix). Bytes that are not UTF-8 are read as U+FFFD.
 */
public final class CheckpointFile {
    private static final int MAX_LISTED = 10;

    private CheckpointFile() {
    }

    /**
     * What a file held.
     *
     * @param checkpoints each well-formed checkpoint line, with "FILE line N" as its source
     * @param otherLines  lines without a checkpoint
     * @param malformed   for the first few lines that look like checkpoints but are not well-formed: "FILE line N:
     *                    why" (a crash can leave a last line cut short)
     * @param malformedCount how many such lines there were
     */
    public record Read(List<CheckpointCheck.Sourced> checkpoints, long otherLines, List<String> malformed,
            long malformedCount) {
    }

    public static Read read(Path file) throws IOException {
        List<CheckpointCheck.Sourced> out = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        long other = 0;
        long bad = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8))) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (!Checkpoint.mentions(line)) {
                    other += line.isBlank() ? 0 : 1;
                    continue;
                }
                try {
                    out.add(new CheckpointCheck.Sourced(Checkpoint.parse(line), file + " line " + n));
                } catch (InvalidInputException e) {
                    if (++bad <= MAX_LISTED) {
                        malformed.add(file + " line " + n + ": " + e.getMessage());
                    }
                }
            }
        }
        return new Read(out, other, malformed, bad);
    }
}
