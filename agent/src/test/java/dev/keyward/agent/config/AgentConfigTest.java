package dev.keyward.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    @TempDir
    Path tmp;

    @Test
    void fileThenFlagsWithRepeatableBreakGlass() throws Exception {
        Path f = Files.writeString(tmp.resolve("agent.conf"), """
                # comment
                server = https://ca.example.com
                poll_interval = 15s
                bulk_purge_threshold = 25%
                break_glass = SHA256:zlZ+Grq1ztJOWPLAJdS1e/wXTIw0Faq6oZdakjlvkHM
                reload-command = systemctl reload sshd
                """);
        AgentConfig c = AgentConfig.load(f, true, Map.of("poll_interval", List.of("5"),
                "break_glass", List.of("SHA256:2/kkkB9YMv0t2wmtUGxPEDT0XFuRLl/0NtzCHnTyiT8")));
        assertEquals("https://ca.example.com", c.server());
        assertEquals(Duration.ofSeconds(5), c.pollInterval());
        assertEquals(0.25, c.bulkPurgeThreshold());
        assertEquals(2, c.breakGlass().size());
        assertEquals(List.of("systemctl", "reload", "sshd"), c.reloadCommand());
        assertEquals("/var/lib/keyward-agent/x", c.statePath("x"));
    }

    @Test
    void hostEnrolledWhenStateLivedInVarLibKeywardKeepsItsCredential() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        AgentPaths paths = new AgentPaths(root);
        Path none = tmp.resolve("missing.conf");
        AgentConfig fresh = AgentConfig.load(none, false, Map.of(), paths);
        assertEquals("/var/lib/keyward-agent/credential", fresh.credentialFile(), "a new host: the agent's own dir");
        assertEquals("/var/lib/keyward-agent", fresh.stateDir());

        // enrolled before: credential, status and spool in /var/lib/keyward
        Files.createDirectories(root.resolve("var/lib/keyward"));
        Files.writeString(root.resolve("var/lib/keyward/credential"), "kwh_old\n");
        AgentConfig old = AgentConfig.load(none, false, Map.of(), paths);
        assertEquals("/var/lib/keyward/credential", old.credentialFile());
        assertEquals("/var/lib/keyward", old.stateDir(), "status and spool stay beside the credential");

        // a key set by the operator is taken as it is
        AgentConfig set = AgentConfig.load(none, false, Map.of("state_dir", List.of("/srv/kw")), paths);
        assertEquals("/srv/kw", set.stateDir());
        assertEquals("/var/lib/keyward-agent/credential", set.credentialFile());

        // once the credential is at the new place (moved, or enrolled again), the new place wins
        Files.createDirectories(root.resolve("var/lib/keyward-agent"));
        Files.writeString(root.resolve("var/lib/keyward-agent/credential"), "kwh_new\n");
        assertEquals("/var/lib/keyward-agent/credential",
                AgentConfig.load(none, false, Map.of(), paths).credentialFile());
    }

    @Test
    void errorsNameTheKeyAndTheFix() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.conf"), "sever = https://x\n");
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.load(bad, true, Map.of()));
        assertTrue(e.getMessage().contains(":1: unknown key 'sever'"), e.getMessage());
        Path t = Files.writeString(tmp.resolve("t.conf"), "bulk_purge_threshold = 2\n");
        e = assertThrows(ConfigException.class, () -> AgentConfig.load(t, true, Map.of()));
        assertTrue(e.getMessage().startsWith("bulk_purge_threshold must be a share"), e.getMessage());
        assertThrows(ConfigException.class, () -> AgentConfig.load(tmp.resolve("missing"), true, Map.of()));
        AgentConfig dflt = AgentConfig.load(tmp.resolve("missing"), false, Map.of());
        assertEquals("auto", dflt.logSource());
        assertEquals("", dflt.logFile(), "not set: log_source = auto looks for auth.log, then secure");
        e = assertThrows(ConfigException.class, () -> AgentConfig.load(tmp.resolve("missing"), false,
                Map.of("log_source", List.of("syslog"))));
        assertEquals("log_source must be one of auto, file, journal, none; got 'syslog'", e.getMessage());
        e = assertThrows(ConfigException.class, () -> AgentConfig.load(tmp.resolve("missing"), false,
                Map.of("allow_empty_trusted_user_ca", List.of("maybe"))));
        assertEquals("allow_empty_trusted_user_ca must be true or false, got 'maybe'", e.getMessage());
    }

    @Test
    void rootPrefixesEveryPathAndCannotBeEscaped() {
        AgentPaths p = new AgentPaths(tmp);
        assertEquals(tmp.resolve("etc/ssh/keyward/revoked_keys"), p.resolve(AgentPaths.REVOKED_KEYS));
        assertEquals("/etc/passwd", p.hostPath(p.resolve("/etc/passwd")));
        assertThrows(IllegalArgumentException.class, () -> p.resolve("/../../etc/shadow"));
        assertThrows(IllegalArgumentException.class, () -> p.resolve("relative"));
    }
}
