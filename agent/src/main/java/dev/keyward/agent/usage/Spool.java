package dev.keyward.agent.usage;

import dev.keyward.agent.protocol.UsageEvent;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.ca.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Usage events waiting for the server, on disk under {@code <state_dir>/spool/}: one file per read,
 * {@code <sequence>-<count>.json}, written atomically (0600). The spool holds at most {@code maxEvents}; events
 * beyond that are dropped and counted in {@code dropped} (reported by {@code status}), newest first, so what
 * is kept is a contiguous history. Files leave the spool only when every event in them was acknowledged.
 */
public final class Spool {
    private final Path dir;
    private final int maxEvents;

    public Spool(Path dir, int maxEvents) {
        this.dir = dir;
        this.maxEvents = maxEvents;
    }

    /** One spool file: its sequence number and how many events it holds (both from its name). */
    public record Segment(Path file, long sequence, int count) {
    }

    public List<Segment> segments() throws IOException {
        TreeMap<Long, Segment> bySeq = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*-*.json")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                try {
                    int dash = n.indexOf('-');
                    long seq = Long.parseLong(n.substring(0, dash));
                    int count = Integer.parseInt(n.substring(dash + 1, n.length() - ".json".length()));
                    bySeq.put(seq, new Segment(p, seq, count));
                } catch (RuntimeException notOurs) {
                    // ignore files that are not segments
                }
            }
        }
        return List.copyOf(bySeq.values());
    }

    public int size() throws IOException {
        return segments().stream().mapToInt(Segment::count).sum();
    }

    public long dropped() throws IOException {
        try {
            return Long.parseLong(Files.readString(dir.resolve("dropped")).strip());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Adds events (as many as fit); returns how many were dropped. */
    public int add(List<UsageEvent> events) throws IOException {
        if (events.isEmpty()) {
            return 0;
        }
        Files.createDirectories(dir);
        List<Segment> segs = segments();
        int room = Math.max(0, maxEvents - segs.stream().mapToInt(Segment::count).sum());
        List<UsageEvent> kept = events.size() <= room ? events : events.subList(0, room);
        int dropped = events.size() - kept.size();
        if (!kept.isEmpty()) {
            long seq = segs.isEmpty() ? 1 : segs.get(segs.size() - 1).sequence() + 1;
            AtomicFiles.write(dir.resolve(seq + "-" + kept.size() + ".json"), Json.write(kept), "rw-------");
        }
        if (dropped > 0) {
            AtomicFiles.write(dir.resolve("dropped"), Long.toString(dropped() + dropped)
                    .getBytes(StandardCharsets.US_ASCII), "rw-------");
        }
        return dropped;
    }

    public List<UsageEvent> read(Segment s) throws IOException {
        return Json.readList(Files.readAllBytes(s.file()), UsageEvent::fromJson);
    }

    /** Removes acknowledged events from a segment: the file goes when all are, else keeps the rest. */
    public void acknowledge(Segment s, Collection<String> ids) throws IOException {
        Set<String> acked = Set.copyOf(ids);
        List<UsageEvent> rest = new ArrayList<>();
        for (UsageEvent e : read(s)) {
            if (!acked.contains(e.id())) {
                rest.add(e);
            }
        }
        if (rest.size() == s.count()) {
            return;
        }
        if (!rest.isEmpty()) {
            AtomicFiles.write(dir.resolve(s.sequence() + "-" + rest.size() + ".json"), Json.write(rest), "rw-------");
        }
        Files.deleteIfExists(s.file());
        AtomicFiles.fsyncDirectory(dir);
    }
}
