package dev.keyward.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.testing.AgentRun;
import dev.keyward.agent.testing.TestRoot;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An empty list of trusted user CA keys from the server would turn certificate logins off host-wide: the agent
 * refuses it over an installed list (the file stays, {@code once} exits 1 saying why, {@code status} shows it) and
 * a real sshd reading that file under {@code --root} still accepts a certificate; with
 * {@code allow_empty_trusted_user_ca = true} it is installed and sshd refuses the certificate; on a host with no
 * CA key installed an empty list turns nothing off and is written.
 */
class EmptyTrustBundleTest {
    @TempDir
    Path tmp;

    AgentRun once(Path root, List<String> caKeys, String... extra) throws Exception {
        AgentState s = new AgentState("h1", "managed", Map.of(), new AgentState.Trust(caKeys, caKeys.size() + 1),
                new AgentState.KrlRef(0, "/api/v1/krl", null), null);
        Path state = Files.write(tmp.resolve("state-" + System.nanoTime() + ".json"), Json.write(s));
        List<String> args = new ArrayList<>(List.of("once", "--root", root.toString(), "--state-file",
                state.toString()));
        args.addAll(List.of(extra));
        return AgentRun.of(args.toArray(String[]::new));
    }

    @Test
    void anEmptyBundleOverInstalledCaKeysIsRefusedAndCertificatesKeepWorking() throws Exception {
        String user = Sshd.currentUser();
        Path root = tmp.resolve("root");
        new TestRoot(root);
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        Path ca = Cmd.sshKeygen(keys, "user-ca", "ed25519", 0);
        Path userKey = Cmd.sshKeygen(keys, "alice", "ed25519", 0);
        Cmd.run(List.of("ssh-keygen", "-q", "-s", ca.toString(), "-I", "alice", "-n", user, "-V", "-5m:+1h",
                userKey + ".pub")).orThrow();
        Path cert = Path.of(userKey + "-cert.pub");
        String caLine = Files.readString(Path.of(ca + ".pub")).strip();
        Path trusted = root.resolve("etc/ssh/keyward/trusted_user_ca_keys");

        AgentRun first = once(root, List.of(caLine));
        assertEquals(0, first.exitCode(), first.err());
        String installed = Files.readString(trusted);
        assertTrue(installed.contains(caLine.split(" ")[1]), installed);

        try (Sshd sshd = Sshd.start(root.resolve("sshd"), null, List.of(
                "TrustedUserCAKeys " + trusted,
                "RevokedKeys " + root.resolve("etc/ssh/keyward/revoked_keys")))) {
            assertEquals(0, sshd.login(user, userKey, cert, null).exitCode(), sshd.log());

            AgentRun empty = once(root, List.of());
            assertEquals(1, empty.exitCode(), empty.out() + empty.err());
            assertTrue(empty.err().contains("failed: trust: the server sent an empty list of trusted user CA keys;"
                    + " installing it would turn off certificate logins on this host, so the 1 installed in"
                    + " /etc/ssh/keyward/trusted_user_ca_keys stay (set allow_empty_trusted_user_ca = true in"
                    + " agent.conf if this host is to trust no user CA)"), empty.err());
            assertEquals(installed, Files.readString(trusted), "the installed CA keys stay");
            assertEquals(0, sshd.login(user, userKey, cert, null).exitCode(), "certificates still work: "
                    + sshd.log());

            AgentRun status = AgentRun.of("status", "--root", root.toString());
            assertEquals(0, status.exitCode(), status.err());
            assertTrue(status.out().contains("last_errors: [trust: the server sent an empty list of trusted user CA"
                    + " keys;"), status.out());

            // the host is configured to trust no user CA: installed, and sshd then refuses the certificate
            AgentRun allowed = once(root, List.of(), "--set", "allow_empty_trusted_user_ca=true");
            assertEquals(0, allowed.exitCode(), allowed.err());
            assertEquals("", Files.readString(trusted));
            assertNotEquals(0, sshd.login(user, userKey, cert, null).exitCode());
        }
    }

    @Test
    void anEmptyBundleWhereNoCaKeyIsInstalledTurnsNothingOff() throws Exception {
        Path root = tmp.resolve("root");
        new TestRoot(root);
        AgentRun r = once(root, List.of());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", Files.readString(root.resolve("etc/ssh/keyward/trusted_user_ca_keys")));
        AgentRun again = once(root, List.of());
        assertEquals(0, again.exitCode(), again.err());
    }
}
