package dev.keyward.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.config.AgentConfig;
import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.testing.AgentRun;
import dev.keyward.agent.testing.JournalEntries;
import dev.keyward.agent.testing.StubServer;
import dev.keyward.agent.testing.TestRoot;
import dev.keyward.agent.usage.UsageSource;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where usage comes from, and whose records count: {@code log_source = auto} picks auth.log, then secure, then the
 * journal, else none, which {@code status} and the status report to the server say (with why); journal entries
 * count only when journald recorded them from sshd (a {@code journal_command} script prints entries recorded as
 * {@code journalctl -o json} prints them); a log file line naming the PID of a live process that is not sshd is
 * flagged, not reported, while one naming a real sshd's PID, or a PID that is gone, counts.
 */
class UsageSourceTest {
    static final String FP = "SHA256:zlZ+Grq1ztJOWPLAJdS1e/wXTIw0Faq6oZdakjlvkHM";

    @TempDir
    Path tmp;
    Path root;
    TestRoot t;
    String user = Sshd.currentUser();

    @BeforeEach
    void setUp() throws Exception {
        root = tmp.resolve("root");
        t = new TestRoot(root);
        t.account(user, (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        Files.createDirectories(root.resolve("var/lib/keyward-agent"));
        Files.writeString(root.resolve("var/lib/keyward-agent/credential"), StubServer.CREDENTIAL + "\n");
    }

    AgentRun agent(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--root", root.toString()));
        return AgentRun.of(a.toArray(String[]::new));
    }

    StubServer server() throws Exception {
        StubServer server = new StubServer();
        Path krl = tmp.resolve("krl");
        Cmd.run(List.of("ssh-keygen", "-q", "-k", "-z", "1", "-f", krl.toString(), "/dev/null")).orThrow();
        server.krl = Files.readAllBytes(krl);
        server.state = Json.write(new AgentState("h-1", "managed", Map.of(), new AgentState.Trust(List.of(), 1),
                new AgentState.KrlRef(1, "/api/v1/krl", null), null));
        return server;
    }

    UsageSource detect(String... overrides) throws Exception {
        Map<String, List<String>> o = new java.util.LinkedHashMap<>();
        for (int i = 0; i < overrides.length; i += 2) {
            o.put(overrides[i], List.of(overrides[i + 1]));
        }
        return UsageSource.detect(AgentConfig.load(tmp.resolve("none.conf"), false, o), new AgentPaths(root));
    }

    /** A journal under the root (a file journald would have written) and a journal_command printing {@code entries}. */
    Path journal(String... entries) throws Exception {
        Files.write(Files.createDirectories(root.resolve("var/log/journal/4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d"))
                .resolve("system.journal"), new byte[] {'L', 'P', 'K', 'S', 'H', 'H', 'R', 'H'});
        Path recorded = Files.writeString(tmp.resolve("journal.json"), String.join("\n", entries) + "\n");
        Path script = Files.writeString(tmp.resolve("journalctl"), "#!/bin/sh\nexec cat '" + recorded + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void noUsageSourceIsSaidByStatusAndReportedToTheServer() throws Exception {
        try (StubServer server = server()) {
            AgentRun once = agent("once", "--server", server.url());
            assertEquals(0, once.exitCode(), once.err());
            assertTrue(once.err().contains("warning: usage source: none: no /var/log/auth.log or /var/log/secure"),
                    once.err());
            assertTrue(once.err().contains("no journal files in /run/log/journal or /var/log/journal (log_source ="
                    + " auto) (no key usage is reported)"), once.err());
            assertEquals(1, server.statusReports.size());
            Map<String, Object> report = server.statusReports.get(0);
            assertEquals("none", report.get("usage_source"));
            assertTrue(((String) report.get("usage_detail")).startsWith("no /var/log/auth.log or /var/log/secure"),
                    report.toString());
            assertEquals("0.1.0", report.get("agent_version"));

            AgentRun again = agent("once", "--server", server.url());
            assertEquals(0, again.exitCode(), again.err());
            assertTrue(!again.err().contains("usage source"), "said once, not every cycle: " + again.err());
            assertEquals(1, server.statusReports.size(), "unchanged: not sent again");
        }
        AgentRun status = agent("status");
        assertTrue(status.out().contains("usage_source: none\nusage_detail: no usage source: no /var/log/auth.log"
                + " or /var/log/secure"), status.out());
        AgentRun json = agent("status", "--json");
        assertTrue(json.out().contains("\"usage_source\": \"none\""), json.out());
    }

    @Test
    void autoTakesAuthLogThenSecureThenTheJournal() throws Exception {
        Path script = journal();
        Files.delete(root.resolve("var/log/journal/4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d/system.journal"));
        UsageSource none = detect("journal_command", script.toString());
        assertEquals(UsageSource.Kind.NONE, none.kind());
        assertEquals("no /var/log/auth.log or /var/log/secure, no journal files in /run/log/journal or"
                + " /var/log/journal (log_source = auto)", none.detail());
        assertEquals(UsageSource.Kind.NONE, detect("journal_command", "/nonexistent/journalctl").kind());
        assertTrue(detect("journal_command", "/nonexistent/journalctl").detail()
                .contains("no /nonexistent/journalctl (journal_command) installed"));

        journal();
        assertEquals(new UsageSource(UsageSource.Kind.JOURNAL, script.toString()),
                detect("journal_command", script.toString()));
        assertEquals(UsageSource.Kind.NONE, detect("journal_command", "/nonexistent/journalctl").kind(),
                "journal files without journalctl");
        Files.writeString(root.resolve("var/log/secure"), "");
        assertEquals(new UsageSource(UsageSource.Kind.FILE, "/var/log/secure"), detect());
        Files.writeString(root.resolve("var/log/auth.log"), "");
        assertEquals(new UsageSource(UsageSource.Kind.FILE, "/var/log/auth.log"), detect());
        assertEquals(new UsageSource(UsageSource.Kind.FILE, "/var/log/secure"), detect("log_file", "/var/log/secure"));

        assertEquals(new UsageSource(UsageSource.Kind.NONE, "log_file /var/log/sshd.log does not exist"
                + " (log_source = file)"), detect("log_source", "file", "log_file", "/var/log/sshd.log"));
        assertEquals(new UsageSource(UsageSource.Kind.JOURNAL, script.toString()),
                detect("log_source", "journal", "journal_command", script.toString()));
        assertEquals(new UsageSource(UsageSource.Kind.NONE, "log_source = none"), detect("log_source", "none"));
    }

    @Test
    void theJournalCountsOnlyEntriesJournaldRecordedFromSshd() throws Exception {
        long now = System.currentTimeMillis() * 1000;
        Path script = journal(
                JournalEntries.entry("1", 4001, now, "sshd", "1000", "\"_COMM\":\"logger\",\"_EXE\":"
                        + "\"/usr/bin/logger\",", "\"Accepted publickey for root from 10.6.6.6 port 4444 ssh2:"
                        + " ED25519 " + FP + "\""),
                JournalEntries.entry("2", 4002, now, "sshd", "0", "\"_COMM\":\"logger\",\"_EXE\":"
                        + "\"/usr/bin/logger\",", "\"Accepted publickey for root from 10.6.6.7 port 4444 ssh2:"
                        + " ED25519 " + FP + "\""),
                JournalEntries.sshd("3", 812, now, "\"Accepted publickey for " + user + " from 10.0.0.5"
                        + " port 5022 ssh2: ED25519 " + FP + "\""));
        try (StubServer server = server()) {
            AgentRun once = agent("once", "--server", server.url(), "--set", "journal_command=" + script);
            assertEquals(0, once.exitCode(), once.err());
            assertTrue(once.out().contains("usage source: journal (" + script + ")"), once.out());
            assertEquals(1, server.usageEvents.size(), server.usageEvents.toString());
            assertEquals("10.0.0.5", server.usageEvents.get(0).get("source_ip"));
            assertTrue(once.err().contains("warning: usage: 2 log record(s) that look like sshd's were not written by"
                    + " sshd; not reported as usage: "), once.err());
            assertTrue(once.err().contains("pid 4001 (_UID 1000, _EXE /usr/bin/logger): accepted publickey for root"
                    + " from 10.6.6.6"), once.err());
            Map<String, Object> report = server.statusReports.get(server.statusReports.size() - 1);
            assertEquals("journal", report.get("usage_source"));
            assertEquals(2L, report.get("usage_flagged"));
            assertTrue(((String) report.get("usage_last_flagged")).contains("pid 4002 (_UID 0, _EXE /usr/bin/logger)"),
                    report.toString());
        }
        AgentRun status = agent("status", "--set", "journal_command=" + script);
        assertTrue(status.out().contains("usage_source: journal\n"), status.out());
        assertTrue(status.out().contains("usage_flagged: 2\n"), status.out());
    }

    @Test
    void aFileLineFromALiveProcessThatIsNotSshdIsFlaggedAndSshdsCount() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        try (StubServer server = server();
                Sshd sshd = Sshd.start(root.resolve("sshd"), null, List.of(
                        "AuthorizedKeysFile " + root + "/home/%u/.ssh/authorized_keys"))) {
            // a real login, for sshd's own message; the line names the listening sshd's PID (sshd -E writes no prefix)
            String key = t.newKey("login");
            Files.createDirectories(t.userFile(user).getParent());
            Files.writeString(t.userFile(user), key + "\n");
            assertEquals(0, sshd.login(user, t.privateKey("login"), null, null).exitCode(), sshd.log());
            String message = sshd.log().lines().filter(l -> l.startsWith("Accepted publickey for ")).findFirst()
                    .orElseThrow();
            long sshdPid = Long.parseLong(Files.readString(root.resolve("sshd/sshd.pid")).strip());
            // seconds always written (OffsetDateTime.toString drops ":00", as the agent's messages do not)
            String now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                    .format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            Files.createDirectories(root.resolve("var/log"));
            Files.writeString(root.resolve("var/log/auth.log"), String.join("\n",
                    now + " web-01 sshd[" + sleeper.pid() + "]: Accepted publickey for root from 10.6.6.6 port 4444"
                            + " ssh2: ED25519 " + FP,
                    now + " web-01 sshd[" + sshdPid + "]: " + message,
                    now + " web-01 sshd[" + gone.pid() + "]: Accepted publickey for " + user + " from 10.0.0.9 port"
                            + " 9022 ssh2: ED25519 " + FP, ""));

            AgentRun once = agent("once", "--server", server.url());
            assertEquals(0, once.exitCode(), once.err());
            assertEquals(List.of("127.0.0.1", "10.0.0.9"), server.usageEvents.stream().map(e -> e.get("source_ip"))
                    .toList(), "sshd's line and the one whose process is gone count");
            assertTrue(once.err().contains("warning: usage: 1 log record(s) that look like sshd's were not written by"
                    + " sshd; not reported as usage: " + now.replace("+00:00", "Z") + " pid " + sleeper.pid() + " ("),
                    once.err());
            assertTrue(once.err().contains("sleep): accepted publickey for root from 10.6.6.6: ED25519 " + FP),
                    once.err());
            Map<String, Object> report = server.statusReports.get(server.statusReports.size() - 1);
            assertEquals("file", report.get("usage_source"));
            assertEquals("/var/log/auth.log", report.get("usage_detail"));
            assertEquals(1L, report.get("usage_flagged"));
        } finally {
            sleeper.destroy(); // by its PID
            sleeper.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
