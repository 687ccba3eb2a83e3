package dev.keyward.agent.usage;

import static dev.keyward.agent.testing.JournalEntries.entry;
import static dev.keyward.agent.testing.JournalEntries.sshd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.protocol.UsageEvent;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * journalctl -o json lines: MESSAGE as a string or as a byte array, PID and time from the entry, cursor kept; only
 * entries journald recorded from sshd itself count ({@code _UID} 0 and an sshd {@code _EXE}, or {@code _COMM} when
 * {@code _EXE} is absent), whatever their {@code SYSLOG_IDENTIFIER} says.
 */
class JournalSourceTest {
    static final String FP = "SHA256:zlZ+Grq1ztJOWPLAJdS1e/wXTIw0Faq6oZdakjlvkHM";

    static String bytes(String s) {
        StringBuilder sb = new StringBuilder("[");
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            sb.append(sb.length() > 1 ? "," : "").append(b & 0xff);
        }
        return sb.append(']').toString();
    }

    static JournalSource.Result parse(String... lines) throws Exception {
        JournalSource src = new JournalSource(List.of("journalctl"), new SshdMessage(ZoneId.of("UTC"), 1_800_000_000L));
        return src.parse(new BufferedReader(new StringReader(String.join("\n", lines) + "\n")), null);
    }

    @Test
    void readsEntriesCompletesFailuresByPidAndKeepsTheCursor() throws Exception {
        JournalSource.Result r = parse(
                sshd("c1", 100, 1_764_410_707_000_000L, "\"Accepted publickey for deploy from 10.0.0.5 port 5022"
                        + " ssh2: ED25519 " + FP + "\""),
                sshd("c2", 200, 1_764_410_708_000_000L, "\"Authentication key ED25519 " + FP
                        + " revoked by file /etc/ssh/keyward/revoked_keys\""),
                sshd("c3", 300, 1_764_410_708_000_000L, "\"Connection closed by 10.0.0.9 port 1 [preauth]\""),
                sshd("c4", 200, 1_764_410_708_000_000L, bytes("Failed publickey for alice from 10.0.0.6 port 6022"
                        + " ssh2: ED25519 " + FP)));
        assertTrue(r.cursor().contains(";i=c4;"), r.cursor());
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
        assertEquals(0, r.flagged().count());
    }

    @Test
    void onlySshdsOwnEntriesCountWhateverTheirIdentifierSays() throws Exception {
        String accepted = "\"Accepted publickey for root from 10.6.6.6 port 4444 ssh2: ED25519 " + FP + "\"";
        JournalSource.Result r = parse(
                // `logger -t sshd "Accepted publickey for root ..."` by a user: identifier sshd, _COMM logger
                entry("s1", 4001, 1_764_410_707_000_000L, "sshd", "1000", "\"_COMM\":\"logger\",\"_EXE\":"
                        + "\"/usr/bin/logger\",\"_CMDLINE\":\"logger -t sshd Accepted publickey for root\","
                        + "\"_SYSTEMD_UNIT\":\"session-3.scope\",\"_AUDIT_LOGINUID\":\"1000\",", accepted),
                // the same by root: uid 0 is not enough
                entry("s2", 4002, 1_764_410_707_000_000L, "sshd-session", "0", "\"_COMM\":\"logger\",\"_EXE\":"
                        + "\"/usr/bin/logger\",", accepted),
                // a user's own copy of the sshd binary: the name is not enough either
                entry("s3", 4003, 1_764_410_707_000_000L, "sshd", "1000", "\"_COMM\":\"sshd\",\"_EXE\":"
                        + "\"/home/mallory/sshd\",", accepted),
                // a user process that exited before journald read /proc: no _EXE, _COMM of the user's choosing
                entry("s4", 4004, 1_764_410_707_000_000L, "sshd", "1000", "\"_COMM\":\"sshd\",", accepted),
                // a journal exported without the trusted fields
                entry("s5", 4005, 1_764_410_707_000_000L, "sshd", "", "", accepted).replace("\"_UID\":\"\",", ""),
                // the real ones: sshd (OpenSSH 9.2), sshd-session (9.8+, Debian's path, replaced by an upgrade since
                // it started), and sshd-session that exited before journald read its _EXE
                sshd("r1", 812, 1_764_410_708_000_000L, "\"Accepted publickey for deploy from 10.0.0.5 port"
                        + " 5022 ssh2: ED25519 " + FP + "\""),
                entry("r2", 813, 1_764_410_709_000_000L, "sshd-session", "0", "\"_COMM\":\"sshd-session\",\"_EXE\":"
                        + "\"/usr/lib/openssh/sshd-session (deleted)\",", "\"Accepted publickey for alice from 10.0.0.6"
                        + " port 6022 ssh2: ED25519 " + FP + "\""),
                entry("r3", 814, 1_764_410_710_000_000L, "sshd-session", "0", "\"_COMM\":\"sshd-session\",",
                        "\"Accepted publickey for bob from 10.0.0.7 port 7022 ssh2: ED25519 " + FP + "\""));
        assertEquals(List.of("deploy", "alice", "bob"), r.events().stream().map(UsageEvent::account).toList());
        assertEquals(5, r.flagged().count());
        assertTrue(r.flagged().samples().get(0).startsWith("2025-11-29T10:05:07Z pid 4001 (_UID 1000, _EXE"
                + " /usr/bin/logger): accepted publickey for root from 10.6.6.6: ED25519 " + FP),
                r.flagged().samples().get(0));
        assertTrue(r.flagged().last().contains("pid 4005 (_UID absent, no _EXE or _COMM)"), r.flagged().last());
        assertTrue(r.cursor().contains(";i=r3;"), "flagged entries are read past: " + r.cursor());
    }
}
