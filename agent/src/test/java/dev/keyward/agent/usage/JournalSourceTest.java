package dev.keyward.agent.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyward.agent.protocol.UsageEvent;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** journalctl -o json lines: MESSAGE as a string or as a byte array, PID and time from the entry, cursor kept. */
class JournalSourceTest {
    static String entry(String cursor, int pid, long micros, String messageJson) {
        return "{\"__CURSOR\":\"" + cursor + "\",\"__REALTIME_TIMESTAMP\":\"" + micros + "\",\"_PID\":\"" + pid
                + "\",\"SYSLOG_IDENTIFIER\":\"sshd-session\",\"MESSAGE\":" + messageJson + "}";
    }

    static String bytes(String s) {
        StringBuilder sb = new StringBuilder("[");
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            sb.append(sb.length() > 1 ? "," : "").append(b & 0xff);
        }
        return sb.append(']').toString();
    }

    @Test
    void readsEntriesCompletesFailuresByPidAndKeepsTheCursor() throws Exception {
        String fp = "SHA256:zlZ+Grq1ztJOWPLAJdS1e/wXTIw0Faq6oZdakjlvkHM";
        String log = String.join("\n",
                entry("c1", 100, 1_764_410_707_000_000L, "\"Accepted publickey for deploy from 10.0.0.5 port 5022"
                        + " ssh2: ED25519 " + fp + "\""),
                entry("c2", 200, 1_764_410_708_000_000L, "\"Authentication key ED25519 " + fp
                        + " revoked by file /etc/ssh/keyward/revoked_keys\""),
                entry("c3", 300, 1_764_410_708_000_000L, "\"Connection closed by 10.0.0.9 port 1 [preauth]\""),
                entry("c4", 200, 1_764_410_708_000_000L, bytes("Failed publickey for alice from 10.0.0.6 port 6022"
                        + " ssh2: ED25519 " + fp)),
                "");
        JournalSource src = new JournalSource(List.of("journalctl"), new SshdMessage(ZoneId.of("UTC"), 1_800_000_000L));
        JournalSource.Result r = src.parse(new BufferedReader(new StringReader(log)), null);
        assertEquals("c4", r.cursor());
        assertEquals(4, r.entries());
        List<UsageEvent> ev = r.events();
        assertEquals(2, ev.size(), ev.toString());
        assertEquals("accepted", ev.get(0).kind());
        assertEquals("2025-11-29T10:05:07Z", ev.get(0).time());
        assertEquals("deploy", ev.get(0).account());
        assertEquals("revoked", ev.get(1).kind());
        assertEquals("alice", ev.get(1).account());
        assertEquals("10.0.0.6", ev.get(1).sourceIp());
        assertEquals("/etc/ssh/keyward/revoked_keys", ev.get(1).detail());
    }
}
