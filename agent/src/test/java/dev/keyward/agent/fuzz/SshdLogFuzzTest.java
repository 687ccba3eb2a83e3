package dev.keyward.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyward.agent.protocol.UsageEvent;
import dev.keyward.agent.usage.JournalSource;
import dev.keyward.agent.usage.LogLine;
import dev.keyward.agent.usage.SshdMessage;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * sshd's log as the agent reads it: lines of auth.log/secure (RFC 3339 or {@code MMM dd HH:MM:SS} stamps, or
 * {@code sshd -E}'s bare messages) and {@code journalctl -o json} entries. Any line can be written by any local
 * user ({@code logger}), so the readers must never fail on one, and only sshd's own records may count.
 */
class SshdLogFuzzTest {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final long NOW = 1_800_000_000L;
    /** Shared across inputs, as the agent shares one per file: its caches must never change a result. */
    private static final SshdMessage SHARED = new SshdMessage(ZONE, NOW);

    /**
     * A line reads the same with a fresh parser and a used one, alone and inside a larger buffer; and taken as a
     * message, it reads the same behind either syslog prefix and from the journal (apart from time and PID).
     */
    @FuzzTest
    void syslogLine(byte[] data) {
        int nl = indexOf(data, (byte) '\n');
        byte[] line = nl < 0 ? data : java.util.Arrays.copyOf(data, nl);
        LogLine fresh = new SshdMessage(ZONE, NOW).parse(line, 0, line.length);
        assertEquals(fresh, SHARED.parse(line, 0, line.length), "the parser's caches changed the result");
        byte[] framed = new byte[line.length + 4];
        framed[0] = 'x';
        framed[1] = '\n';
        System.arraycopy(line, 0, framed, 2, line.length);
        framed[framed.length - 2] = '\n';
        framed[framed.length - 1] = 'y';
        assertEquals(fresh, new SshdMessage(ZONE, NOW).parse(framed, 2, 2 + line.length), "offsets changed the result");
        if (fresh != null) {
            checkFields(fresh);
        }

        String message = new String(line, StandardCharsets.ISO_8859_1);
        LogLine journal = new SshdMessage(ZONE, NOW).parse(message, 812, NOW);
        LogLine bsd = parsePrefixed("Nov 29 15:06:26 web-1 sshd[812]: " + message);
        LogLine rfc = parsePrefixed("2026-11-29T15:06:26.123456+01:00 web-1 sshd-session[812]: " + message);
        assertEquals(withoutTime(journal), withoutTime(bsd), "syslog stamp form and journal disagree");
        assertEquals(withoutTime(journal), withoutTime(rfc), "RFC 3339 form and journal disagree");
        if (bsd != null) {
            assertEquals(812, bsd.pid());
            assertEquals(rfc.epochSecond(), bsd.epochSecond(), "both stamps name the same second");
        }
    }

    /**
     * Journal JSON lines: only {@link JsonException} escapes (a line that is not JSON), and an entry that journald
     * does not attribute to sshd (no {@code _UID} 0) never becomes a usage event, whatever its MESSAGE says.
     */
    @FuzzTest
    void journal(byte[] data) throws IOException {
        String text = new String(data, StandardCharsets.UTF_8);
        JournalSource source = new JournalSource(List.of("journalctl"), new SshdMessage(ZONE, NOW));
        JournalSource.Result r;
        try {
            r = source.parse(new BufferedReader(new StringReader(text)), "start");
        } catch (JsonException e) {
            return;
        }
        assertNotNull(r.cursor());
        assertTrue(r.events().size() <= r.entries(), "more events than entries");
        for (UsageEvent e : r.events()) {
            assertNotNull(e.id());
            assertNotNull(e.kind());
        }
        // the same entries without journald's trusted _UID field: nothing may count
        StringBuilder untrusted = new StringBuilder();
        for (String l : text.lines().toList()) {
            if (l.isBlank()) {
                continue;
            }
            Map<String, Object> entry = new LinkedHashMap<>(Json.parseObject(l.getBytes(StandardCharsets.UTF_8)));
            entry.remove("_UID");
            untrusted.append(new String(Json.write(entry), StandardCharsets.UTF_8)).append('\n');
        }
        JournalSource.Result u = source.parse(new BufferedReader(new StringReader(untrusted.toString())), null);
        assertEquals(List.of(), u.events(), "entries without _UID 0 were counted");
        assertEquals(r.entries(), u.entries());
    }

    private static LogLine parsePrefixed(String line) {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        return new SshdMessage(ZONE, NOW).parse(b, 0, b.length);
    }

    private static LogLine withoutTime(LogLine l) {
        return l == null ? null : new LogLine(l.kind(), 0, 0, l.account(), l.sourceIp(), l.sourcePort(), l.keyType(),
                l.fingerprint(), l.keyId(), l.serial(), l.caType(), l.caFingerprint(), l.detail());
    }

    private static void checkFields(LogLine l) {
        switch (l.kind()) {
            case ACCEPTED, FAILED -> {
                assertTrue(l.account() != null && !l.account().isEmpty() && !l.account().contains(" "), l::toString);
                assertTrue(l.sourceIp() != null && !l.sourceIp().isEmpty(), l::toString);
                assertTrue(l.sourcePort() >= 0 && l.sourcePort() <= 999_999, l::toString);
                assertTrue(l.fingerprint() != null && l.fingerprint().startsWith("SHA256:"), l::toString);
            }
            case REVOKED -> assertTrue(l.fingerprint() != null && l.fingerprint().startsWith("SHA256:"), l::toString);
            case CERT_INVALID -> assertNotNull(l.detail());
        }
    }

    private static int indexOf(byte[] b, byte c) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
