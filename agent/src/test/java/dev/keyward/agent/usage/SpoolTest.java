package dev.keyward.agent.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyward.agent.protocol.UsageEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path dir;

    static List<UsageEvent> events(int from, int n) {
        List<UsageEvent> l = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            l.add(new UsageEvent("id" + i, "2026-11-29T10:00:00Z", "u", "SHA256:x", "ED25519", null, null, null,
                    "10.0.0.1", 22, "accepted", ""));
        }
        return l;
    }

    @Test
    void boundedSpoolDropsAndCountsOverflow() throws Exception {
        Spool s = new Spool(dir.resolve("spool"), 10);
        assertEquals(0, s.add(events(0, 6)));
        assertEquals(2, s.add(events(6, 6)));
        assertEquals(10, s.size());
        assertEquals(2, s.dropped());
        assertEquals(3, s.add(events(12, 3)));
        assertEquals(5, s.dropped());
    }

    @Test
    void acknowledgedEventsLeaveTheSpoolOthersStay() throws Exception {
        Spool s = new Spool(dir.resolve("spool"), 100);
        s.add(events(0, 5));
        s.add(events(5, 5));
        List<Spool.Segment> segs = s.segments();
        assertEquals(2, segs.size());
        s.acknowledge(segs.get(0), List.of("id0", "id1", "id4"));
        s.acknowledge(segs.get(1), List.of("id5", "id6", "id7", "id8", "id9"));
        assertEquals(2, s.size());
        assertEquals(List.of("id2", "id3"), s.read(s.segments().get(0)).stream().map(UsageEvent::id).toList());
    }
}
