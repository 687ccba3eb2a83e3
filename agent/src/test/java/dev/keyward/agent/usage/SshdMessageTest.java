package dev.keyward.agent.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SshdMessageTest {
    static LogLine parse(SshdMessage m, String line) {
        byte[] b = ("junk\n" + line + "\njunk").getBytes(StandardCharsets.ISO_8859_1);
        return m.parse(b, 5, 5 + line.length());
    }

    static String accepted(String stamp) {
        return stamp + " web-1 sshd-session[812]: Accepted publickey for alice from 10.0.0.1 port 4242 ssh2:"
                + " ED25519 SHA256:abc";
    }

    /** RFC 3339 stamps in a row (same minutes, other minutes, zones, fractions) read as java.time reads them. */
    @Test
    void rfc3339StampsAgreeWithJavaTime() {
        SshdMessage m = new SshdMessage(ZoneId.of("UTC"), 1_800_000_000L);
        String[] zones = {"Z", "+01:00", "-05:30", "+00:00", "z", "+0100", "+01:00:00", ""};
        Random r = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            int minute = 10 + r.nextInt(3);
            int sec = r.nextInt(20) == 0 ? 60 + r.nextInt(40) : r.nextInt(60);
            int digits = r.nextInt(12);
            StringBuilder frac = new StringBuilder(digits == 0 ? "" : ".");
            for (int d = 0; d < digits; d++) {
                frac.append((char) ('0' + r.nextInt(10)));
            }
            if (r.nextInt(50) == 0) {
                frac.append('.');
            }
            String stamp = String.format("2026-11-29T15:%02d:%02d%s%s", minute, sec, frac,
                    zones[r.nextInt(zones.length)]);
            Long expected;
            try {
                expected = OffsetDateTime.parse(stamp).toEpochSecond();
            } catch (DateTimeParseException e) {
                expected = null;
            }
            LogLine l = parse(m, accepted(stamp));
            if (expected == null) {
                assertNull(l, stamp);
            } else {
                assertEquals(expected, l.epochSecond(), stamp);
                assertEquals(812, l.pid());
                assertEquals("alice", l.account());
                assertEquals("SHA256:abc", l.fingerprint());
            }
        }
    }

    @Test
    void bothStampFormsGiveTheSameEvent() {
        SshdMessage m = new SshdMessage(ZoneId.of("UTC"), 1_800_000_000L);
        LogLine a = parse(m, accepted("2026-11-29T15:06:26.000001Z"));
        LogLine b = parse(m, accepted("Nov 29 15:06:26"));
        LogLine c = parse(m, accepted("2026-11-29T16:06:26+01:00") + "\r");
        assertEquals(a, b);
        assertEquals(a, c);
        assertEquals(OffsetDateTime.parse("2026-11-29T15:06:26Z").toEpochSecond(), a.epochSecond());
    }
}
