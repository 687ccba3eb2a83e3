package dev.keyward.agent.e2e;

import dev.keyward.ca.Sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.agent.keys.KeyLine;
import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.testing.TestRoot;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sshd reads the files the agent writes under --root: it accepts a key the agent put in the keyward
 * file, refuses one the agent purged from the user's own file, loads the agent's baseline empty KRL (else it
 * would refuse every key), and refuses a key once the agent installed a KRL revoking it; a corrupt KRL is
 * refused by the agent and the old one stays.
 */
class RealSshdUsesAgentFilesTest {
    @TempDir
    Path tmp;

    static String fp(String line) {
        return KeyLine.parse(line).orElseThrow().fingerprint();
    }

    int once(Path root, Path state, Path krl, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("once", "--root", root.toString(),
                "--state-file", state.toString()));
        if (krl != null) {
            args.addAll(List.of("--krl-file", krl.toString()));
        }
        args.addAll(List.of(extra));
        return KeywardAgentCli.execute(args.toArray(String[]::new));
    }

    Path stateFile(String name, long krlVersion, String krlSha, Map<String, AgentState.AccountState> accounts)
            throws Exception {
        AgentState s = new AgentState("h1", "managed", accounts, new AgentState.Trust(List.of(), 1),
                new AgentState.KrlRef(krlVersion, "/api/v1/krl", krlSha), null);
        return Files.write(tmp.resolve(name), Json.write(s));
    }

    @Test
    void sshdAcceptsWhatTheAgentWroteAndRefusesWhatItPurgedOrRevoked() throws Exception {
        String user = Sshd.currentUser();
        Path root = tmp.resolve("root");
        TestRoot t = new TestRoot(root);
        t.account(user, (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        String desired = t.newKey("desired");
        String purged = t.newKey("purged");
        String kept = t.newKey("kept");
        Files.createDirectories(t.userFile(user).getParent());
        Files.writeString(t.userFile(user), "# mine\n" + purged + "\n" + kept + "\n");

        Path state = stateFile("state.json", 0, null, Map.of(user, new AgentState.AccountState(
                List.of(new AgentState.DesiredKey("k1", desired, null, null, null, null)),
                List.of(new AgentState.PurgeEntry(fp(purged), "revoked", true)))));
        assertEquals(0, once(root, state, null));
        Path revokedKeys = root.resolve("etc/ssh/keyward/revoked_keys");
        assertEquals(44, Files.size(revokedKeys), "the empty KRL of PROTOCOL.krl: header only");

        try (Sshd sshd = Sshd.start(root.resolve("sshd"), null, List.of(
                "AuthorizedKeysFile " + root + "/home/%u/.ssh/authorized_keys " + root
                        + "/etc/ssh/keyward/authorized_keys/%u",
                "TrustedUserCAKeys " + root + "/etc/ssh/keyward/trusted_user_ca_keys",
                "RevokedKeys " + revokedKeys))) {
            assertEquals(0, sshd.login(user, t.privateKey("desired"), null, null).exitCode(), sshd.log());
            assertEquals(0, sshd.login(user, t.privateKey("kept"), null, null).exitCode(), sshd.log());
            assertNotEquals(0, sshd.login(user, t.privateKey("purged"), null, null).exitCode());

            // revoke the desired key through a KRL made by ssh-keygen
            Path krl = tmp.resolve("krl1");
            Cmd.run(List.of("ssh-keygen", "-q", "-k", "-z", "1", "-f", krl.toString(),
                    t.privateKey("desired") + ".pub")).orThrow();
            byte[] krlBytes = Files.readAllBytes(krl);
            Path state2 = stateFile("state2.json", 1, Sha256.hex(krlBytes), Map.of(user,
                    new AgentState.AccountState(List.of(new AgentState.DesiredKey("k1", desired, null, null, null, null)),
                            List.of())));
            assertEquals(0, once(root, state2, krl));
            assertArrayEquals(krlBytes, Files.readAllBytes(revokedKeys));
            assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", revokedKeys.toString(),
                    t.privateKey("desired") + ".pub")).exitCode(), "ssh-keygen -Q says revoked");
            assertNotEquals(0, sshd.login(user, t.privateKey("desired"), null, null).exitCode());
            assertTrue(sshd.log().contains("revoked by file " + revokedKeys), sshd.log());

            // a corrupt KRL (truncated) is refused; the installed one stays and logins go on working
            byte[] corrupt = java.util.Arrays.copyOf(krlBytes, krlBytes.length - 3);
            Path bad = Files.write(tmp.resolve("krl2"), corrupt);
            Path state3 = stateFile("state3.json", 2, Sha256.hex(corrupt), Map.of(user,
                    new AgentState.AccountState(List.of(new AgentState.DesiredKey("k1", desired, null, null, null, null)),
                            List.of())));
            assertEquals(1, once(root, state3, bad));
            assertArrayEquals(krlBytes, Files.readAllBytes(revokedKeys));
            assertEquals(0, sshd.login(user, t.privateKey("kept"), null, null).exitCode(), sshd.log());
        }
    }

    @Test
    void dryRunWritesNothingAnywhere() throws Exception {
        Path root = tmp.resolve("root");
        TestRoot t = new TestRoot(root);
        t.account("alice");
        String k = t.newKey("k");
        Files.createDirectories(t.userFile("alice").getParent());
        Files.writeString(t.userFile("alice"), k + "\n");
        Map<String, String> before = t.snapshot();
        Path state = stateFile("state.json", 0, null, Map.of("alice", new AgentState.AccountState(
                List.of(new AgentState.DesiredKey("k1", t.newKey("new"), null, null, null, null)),
                List.of(new AgentState.PurgeEntry(fp(k), "revoked", true)))));
        var out = new java.io.ByteArrayOutputStream();
        var old = System.out;
        System.setOut(new java.io.PrintStream(out, true));
        int rc;
        try {
            rc = once(root, state, null, "--dry-run");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc, out.toString());
        assertEquals(before, t.snapshot());
        String diff = out.toString();
        assertTrue(diff.contains("--- a/home/alice/.ssh/authorized_keys\n+++ b/home/alice/.ssh/authorized_keys\n"), diff);
        assertTrue(diff.contains("-" + k + "\n"), diff);
        assertTrue(diff.contains("+++ b/etc/ssh/keyward/authorized_keys/alice"), diff);
        assertTrue(diff.contains("Binary file /etc/ssh/keyward/revoked_keys created (44 bytes)"), diff);
    }
}
