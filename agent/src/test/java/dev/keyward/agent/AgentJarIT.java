package dev.keyward.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.testing.TestRoot;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.testing.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped jar ({@code target/keyward-agent.jar}, run after {@code package}): it carries none of the server's
 * libraries nor the issuance side of {@code ca}; of Jackson only its streaming core (ca's JSON), never data binding,
 * annotations or other formats; and what it keeps is enough to run a whole cycle on every key
 * type sshd takes (Ed25519, ECDSA, RSA), install a KRL made by {@code ssh-keygen}, parse sshd's log, and report
 * status, in a JVM of its own with the jar alone on the class path.
 */
class AgentJarIT {
    static final Path JAR = Path.of("target/keyward-agent.jar");

    @TempDir
    Path tmp;

    @Test
    void theJarHoldsTheAgentAndNothingOfTheServer() throws Exception {
        assertTrue(Files.size(JAR) < 3_000_000, "the agent's jar stays small: " + Files.size(JAR) + " bytes");
        List<String> forbidden = List.of("io/javalin/", "org/jooq/", "org/postgresql/", "org/eclipse/jetty/",
                "org/flywaydb/", "com/zaxxer/", "org/apache/sshd/", "org/slf4j/",
                "org/bouncycastle/jcajce/", "org/bouncycastle/jce/", "org/bouncycastle/pqc/",
                "dev/keyward/ca/pkcs11/", "dev/keyward/ca/policy/", "dev/keyward/ca/cli/",
                "dev/keyward/ca/sign/Pkcs11Backend", "dev/keyward/ca/sign/SoftwareKeys");
        try (ZipFile z = new ZipFile(JAR.toFile())) {
            List<String> found = z.stream().map(e -> e.getName())
                    .filter(n -> forbidden.stream().anyMatch(n::startsWith)).limit(5).toList();
            assertEquals(List.of(), found);
            assertTrue(z.getEntry("dev/keyward/agent/cli/KeywardAgentCli.class") != null);
            assertTrue(z.getEntry("org/bouncycastle/math/ec/rfc8032/Ed25519.class") != null);
            assertTrue(z.getEntry("com/fasterxml/jackson/core/JsonFactory.class") != null);
            // of Jackson, the streaming core alone: no jackson-databind, -annotations, -dataformat-*, -datatype-*
            List<String> otherJackson = z.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("com/fasterxml/") && !n.endsWith("/") && !n.startsWith("com/fasterxml/jackson/core/"))
                    .limit(5).toList();
            assertEquals(List.of(), otherJackson);
        }
    }

    @Test
    void theJarAloneRunsACycleOnEveryKeyTypeInstallsAKrlAndParsesALog() throws Exception {
        Cmd.Result v = java("--version");
        assertEquals(0, v.exitCode(), v.stderr());
        assertTrue(v.stdout().startsWith("keyward-agent "), v.stdout());

        Path root = tmp.resolve("root");
        TestRoot t = new TestRoot(root);
        String user = "alice";
        t.account(user, (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        List<String> lines = new ArrayList<>();
        List<AgentState.DesiredKey> desired = new ArrayList<>();
        String[][] types = {{"ed25519", "0"}, {"ecdsa", "256"}, {"ecdsa", "384"}, {"ecdsa", "521"}, {"rsa", "3072"}};
        for (String[] ty : types) {
            Path priv = Cmd.sshKeygen(keys, ty[0] + ty[1], ty[0], Integer.parseInt(ty[1]));
            String line = Files.readString(Path.of(priv + ".pub")).strip();
            lines.add(line);
            desired.add(new AgentState.DesiredKey("k" + desired.size(), line, null, null, null, null));
        }
        // a KRL revoking the RSA key, made by OpenSSH
        Path spec = Files.writeString(tmp.resolve("revoke.pub"), lines.get(4) + "\n");
        Path krl = tmp.resolve("krl");
        Cmd.run(List.of("ssh-keygen", "-q", "-k", "-z", "7", "-f", krl.toString(), spec.toString())).orThrow();

        AgentState s = new AgentState("h1", "managed", Map.of(user, new AgentState.AccountState(desired, List.of())),
                new AgentState.Trust(List.of(lines.get(0)), 3), new AgentState.KrlRef(7, "/api/v1/krl", null), null);
        Path state = Files.write(tmp.resolve("state.json"), Json.write(s));
        Cmd.Result once = java("once", "--root", root.toString(), "--state-file", state.toString(),
                "--krl-file", krl.toString());
        assertEquals(0, once.exitCode(), once.stdout() + once.stderr());
        assertFalse(once.stderr().contains("Exception"), once.stderr());
        String written = Files.readString(t.keywardFile(user));
        for (String l : lines) {
            assertTrue(written.contains(l.split(" ")[1]), "the keyward file holds " + l);
        }
        assertArrayEquals(Files.readAllBytes(krl), Files.readAllBytes(root.resolve("etc/ssh/keyward/revoked_keys")));
        assertTrue(Files.readString(root.resolve("etc/ssh/keyward/trusted_user_ca_keys")).contains(lines.get(0).split(" ")[1]));

        Cmd.Result status = java("status", "--root", root.toString());
        assertEquals(0, status.exitCode(), status.stderr());
        assertTrue(status.stdout().contains("7"), "status names the KRL version: " + status.stdout());

        Path log = Files.writeString(tmp.resolve("auth.log"), String.join("\n",
                "Nov 29 10:05:07 web-01 sshd[4242]: Accepted publickey for alice from 10.0.0.5 port 50022 ssh2:"
                        + " ED25519 SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "Nov 29 10:05:09 web-01 sshd-session[4243]: Accepted publickey for deploy from 10.0.0.6 port 50023"
                        + " ssh2: ECDSA-CERT SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB ID alice@example"
                        + " (serial 9) CA ED25519 SHA256:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC",
                "Nov 29 10:05:11 web-01 CRON[77]: pam_unix(cron:session): session opened for user root", ""));
        Cmd.Result parsed = java("parse-log", log.toString());
        assertEquals(0, parsed.exitCode(), parsed.stderr());
        assertTrue(parsed.stdout().startsWith("events {accepted=2}"), parsed.stdout());
    }

    @Test
    void aBadArgumentIsAClearErrorFromTheJarToo() throws Exception {
        Cmd.Result r = java("once", "--no-such-option");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("--no-such-option"), r.stderr());
        assertFalse(r.stderr().contains("Exception"), r.stderr());
    }

    private Cmd.Result java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return Cmd.run(cmd, tmp, Map.of(), null);
    }
}
