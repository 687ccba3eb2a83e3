package dev.keyward.agent.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.cycle.AgentStatus;
import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.testing.AgentRun;
import dev.keyward.agent.testing.TestRoot;
import dev.keyward.ca.Sha256;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.testing.Cmd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KRL versions are unsigned 64-bit numbers (PROTOCOL.krl {@code krl_version}): KRLs made by {@code ssh-keygen -k -z}
 * with version 2^63 and 2^64-1 are installed under {@code --root}, in that order, and one with version 12345 after
 * them is a downgrade, refused with the installed KRL kept; the versions travel through the state document and
 * {@code status.json} as JSON numbers above 2^63-1.
 */
class UnsignedKrlVersionTest {
    static final String TWO_TO_63 = "9223372036854775808";
    static final String MAX = "18446744073709551615";

    @TempDir
    Path tmp;

    Path krl(String version, Path revokedKey) throws Exception {
        Path krl = tmp.resolve("krl-" + version);
        Cmd.run(List.of("ssh-keygen", "-q", "-k", "-z", version, "-f", krl.toString(), revokedKey.toString()))
                .orThrow();
        return krl;
    }

    Path state(String name, String version, byte[] krl) throws Exception {
        AgentState s = new AgentState("h1", "managed", Map.of(), new AgentState.Trust(List.of(), 1),
                new AgentState.KrlRef(Long.parseUnsignedLong(version), "/api/v1/krl", Sha256.hex(krl)), null);
        return Files.write(tmp.resolve(name), Json.write(s));
    }

    static AgentRun once(Path root, Path state, Path krl) {
        return AgentRun.of("once", "--root", root.toString(), "--state-file", state.toString(), "--krl-file",
                krl.toString());
    }

    @Test
    void versionsAtAndAbove2To63AreInstalledAndASmallerOneAfterThemIsRefused() throws Exception {
        Path root = tmp.resolve("root");
        TestRoot t = new TestRoot(root);
        t.newKey("revoked");
        Path revoked = Path.of(t.privateKey("revoked") + ".pub");
        Path installed = root.resolve("etc/ssh/keyward/revoked_keys");

        Path k63 = krl(TWO_TO_63, revoked);
        byte[] b63 = Files.readAllBytes(k63);
        AgentRun r = once(root, state("s1.json", "0", b63), k63);
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(b63, Files.readAllBytes(installed), "version 2^63 is newer than 0");

        Path kMax = krl(MAX, revoked);
        byte[] bMax = Files.readAllBytes(kMax);
        Path s2 = state("s2.json", MAX, bMax);
        assertTrue(Files.readString(s2).contains("\"version\":" + MAX + ","), Files.readString(s2));
        r = once(root, s2, kMax);
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(bMax, Files.readAllBytes(installed), "version 2^64-1 is newer than 2^63");
        assertTrue(Cmd.run(List.of("ssh-keygen", "-Q", "-l", "-f", installed.toString())).stdout()
                .contains("# KRL version " + MAX), "ssh-keygen reads the installed KRL's version");

        Path small = krl("12345", revoked);
        byte[] bSmall = Files.readAllBytes(small);
        r = once(root, state("s3.json", "12345", bSmall), small);
        assertEquals(1, r.exitCode(), r.err());
        assertArrayEquals(bMax, Files.readAllBytes(installed), "a downgrade to 12345 is never installed");
        assertTrue(r.err().contains("the server's KRL has version 12345, older than the installed " + MAX), r.err());
        assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", installed.toString(), revoked.toString()))
                .exitCode(), "the key stays revoked");

        // status --json prints the installed version as the number it is
        AgentRun status = AgentRun.of("status", "--json", "--root", root.toString());
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(status.out().contains("\"krl_version\": " + MAX + ","), status.out());
    }

    @Test
    void statusJsonKeepsVersionsAbove2To63AndReadsTheOldNoneMarker() throws Exception {
        AgentStatus s = AgentStatus.empty().withState("\"e\"", 3, Long.parseUnsignedLong(MAX));
        byte[] json = Json.write(s);
        assertTrue(new String(json, StandardCharsets.UTF_8).contains("\"krl_version\":" + MAX + ","),
                new String(json, StandardCharsets.UTF_8));
        assertEquals(-1L, Json.read(json, AgentStatus::fromJson).krlVersion(), "2^64-1 has the bits of -1");
        assertNull(AgentStatus.empty().krlVersion());
        // an older agent wrote -1 for "no KRL version yet"
        byte[] old = "{\"trust_version\":-1,\"krl_version\":-1}".getBytes(StandardCharsets.UTF_8);
        assertNull(Json.read(old, AgentStatus::fromJson).krlVersion());
        assertNull(Json.read(Json.write(AgentStatus.empty()), AgentStatus::fromJson).krlVersion());
    }
}
