package dev.keyward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.SshAgentProcess;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.cli.testing.Cli;
import dev.keyward.cli.testing.EngineerHome;
import dev.keyward.cli.testing.FakeServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key login makes when the engineer has none: by default an Ed25519 key that exists only in a real ssh-agent
 * (no private key file anywhere), usable by a real ssh against a real sshd, replaced at the next login and removed
 * by logout; with {@code --write-key} a 0600 key file that later logins reuse; with no agent, a refusal before the
 * token is sent. The stand-in server certifies whatever key it is sent, for the sshd's user.
 */
class InMemoryKeyTest {
    static final String USER = Sshd.currentUser();

    @TempDir
    Path tmp;
    EngineerHome engineer;
    Path home;
    FakeServer server;

    @BeforeEach
    void setUp() throws IOException {
        use(EngineerHome.certifyingFor(tmp, USER));
    }

    void use(EngineerHome e) {
        engineer = e;
        home = e.home;
        server = e.server;
    }

    @AfterEach
    void tearDown() {
        engineer.close();
    }

    Cli.Run keyward(Path agentSocket, String... args) {
        return engineer.keyward(agentSocket, args);
    }

    Cli.Run login(Path agentSocket, String... extra) {
        return engineer.login(agentSocket, extra);
    }

    Path keyward() {
        return engineer.keywardKey();
    }

    @Test
    void withNoKeyLoginKeepsANewKeyOnlyInSshAgentAndSshUsesIt() throws Exception {
        try (SshAgentProcess agent = SshAgentProcess.start(tmp.resolve("agent.sock"), tmp.resolve("agent.log"));
                Sshd sshd = Sshd.start(tmp.resolve("sshd"), null,
                        List.of("TrustedUserCAKeys " + engineer.ca.publicKeyFile()))) {
            Cli.Run r = login(agent.socket());
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("ssh-agent:   key (in memory only) and certificate loaded for "), r.out());
            assertEquals("", r.err());
            assertFalse(Files.exists(keyward()), "the private key was written");
            assertNoPrivateKeyUnder(home);
            SshPublicKey pub = TestKeys.read(Path.of(keyward() + ".pub"));
            SignedCertificate cert = CertificateCodec.decodeLine(Files.readString(Path.of(keyward() + "-cert.pub")));
            assertEquals(pub, cert.certificate().key());
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    Path.of(keyward() + ".pub"))));
            String listed = sshAdd(agent.socket(), "-L").stdout();
            assertTrue(listed.contains(pub.toOpenSshWithoutComment()), listed);
            assertTrue(listed.contains(cert.toOpenSsh("").strip()), listed);
            assertTrue(sshAdd(agent.socket(), "-l").stdout().contains("keyward"), "the comment names Keyward");

            // ssh with what the agent holds alone (no identity file): the certificate it offers is accepted
            assertEquals(0, sshWithAgent(sshd, agent.socket()).exitCode(), sshd.log());
            assertTrue(sshd.log().contains("Accepted publickey for " + USER + " from 127.0.0.1"), sshd.log());
            assertTrue(sshd.log().contains("ED25519-CERT " + pub.fingerprint()), sshd.log());

            Cli.Run status = keyward(agent.socket(), "status");
            assertEquals(0, status.code(), status.toString());
            assertTrue(status.out().contains("ssh-agent:   holds this certificate"), status.out());
            assertEquals(1, keyward(agent.socket(), "status", "--needs-renewal").code(), "a fresh certificate");

            // the next login makes a new key and takes the old key and certificate out of the agent
            Cli.Run again = login(agent.socket());
            assertEquals(0, again.code(), again.toString());
            SshPublicKey next = TestKeys.read(Path.of(keyward() + ".pub"));
            assertNotEquals(pub, next);
            String after = sshAdd(agent.socket(), "-L").stdout();
            assertFalse(after.contains(pub.toOpenSshWithoutComment().split(" ")[1]), after);
            assertFalse(after.contains(cert.toOpenSsh("").strip()), after);
            assertTrue(after.contains(next.toOpenSshWithoutComment()), after);

            Cli.Run logout = keyward(agent.socket(), "logout");
            assertEquals(0, logout.code(), logout.toString());
            assertTrue(logout.out().contains("Removed the in-memory key from ssh-agent"), logout.out());
            assertEquals(1, sshAdd(agent.socket(), "-L").exitCode(), "the agent still holds something");
            assertEquals(0, keyward(agent.socket(), "status", "--needs-renewal").code());
        }
    }

    @Test
    void anInMemoryKeyIsDueForRenewalOnceItsAgentIsGone() throws Exception {
        Path sock = tmp.resolve("agent.sock");
        try (SshAgentProcess agent = SshAgentProcess.start(sock, tmp.resolve("agent.log"))) {
            assertEquals(0, login(sock).code());
            assertEquals(1, keyward(sock, "status", "--needs-renewal").code());
        }
        try (SshAgentProcess fresh = SshAgentProcess.start(tmp.resolve("agent2.sock"), tmp.resolve("agent2.log"))) {
            Cli.Run r = keyward(fresh.socket(), "status", "--needs-renewal");
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("lived only in ssh-agent, and the ssh-agent at " + fresh.socket()), r.out());
        }
    }

    @Test
    void writeKeyKeepsTheKeyInA0600FileThatLaterLoginsReuse() throws Exception {
        try (Sshd sshd = Sshd.start(tmp.resolve("sshd"), null,
                        List.of("TrustedUserCAKeys " + engineer.ca.publicKeyFile()))) {
            Cli.Run r = login(null, "--write-key");
            assertEquals(0, r.code(), r.toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyward())));
            String pub = Files.readString(Path.of(keyward() + ".pub"));
            Cmd.Result ssh = sshd.login(USER, keyward(), Path.of(keyward() + "-cert.pub"), null);
            assertEquals(0, ssh.exitCode(), ssh.stderr() + sshd.log());

            Cli.Run again = login(null);
            assertEquals(0, again.code(), again.toString());
            assertEquals(pub, Files.readString(Path.of(keyward() + ".pub")), "the key file is reused");
        }
    }

    @Test
    void withNoKeyAndNoAgentNothingIsSentOrWritten() throws IOException {
        Cli.Run r = login(null);
        assertEquals(1, r.code(), r.toString());
        assertEquals("keyward: no SSH key in " + home.resolve(".ssh") + " and no ssh-agent to hold a new one"
                + " (SSH_AUTH_SOCK is unset, or --no-agent): start ssh-agent, or pass --write-key to keep a new key in "
                + keyward() + ", or --key PATH\n", r.err());
        Cli.Run noAgent = login(tmp.resolve("agent.sock"), "--no-agent");
        assertEquals(1, noAgent.code(), noAgent.toString());
        assertTrue(noAgent.err().contains("no ssh-agent to hold a new one"), noAgent.err());

        Path dead = tmp.resolve("dead.sock");
        Cli.Run unreachable = login(dead);
        assertEquals(1, unreachable.code(), unreachable.toString());
        assertEquals(1, unreachable.err().lines().count(), unreachable.err());
        assertTrue(unreachable.err().startsWith("keyward: cannot reach ssh-agent at " + dead + " (SSH_AUTH_SOCK)"),
                unreachable.err());
        assertTrue(unreachable.err().contains("pass --write-key to keep it in " + keyward()), unreachable.err());

        assertEquals(List.of(), server.requests, "a certificate was requested");
        assertFalse(Files.exists(home.resolve(".ssh")), "something was written");
    }

    @Test
    void aFailedLoginTakesTheNewKeyOutOfTheAgent() throws Exception {
        engineer.close();
        use(EngineerHome.refusedWith(tmp.resolve("refusing"), new FakeServer.Answer(403, "application/problem+json",
                "{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"no\"}")));
        try (SshAgentProcess agent = SshAgentProcess.start(tmp.resolve("agent.sock"), tmp.resolve("agent.log"))) {
            Cli.Run r = login(agent.socket());
            assertEquals(1, r.code(), r.toString());
            assertEquals(1, server.requests.size());
            assertEquals(1, sshAdd(agent.socket(), "-L").exitCode(), "the refused login left a key in the agent");
            assertFalse(Files.exists(home.resolve(".ssh")), "something was written");
        }
    }

    static void assertNoPrivateKeyUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(p).contains("PRIVATE KEY"), "a private key in " + p);
            }
        }
    }

    static Cmd.Result sshAdd(Path sock, String... args) {
        return Cmd.run(Stream.concat(Stream.of("ssh-add"), Stream.of(args)).toList(), null,
                Map.of("SSH_AUTH_SOCK", sock.toString()), null);
    }

    /** ssh offering only what the agent holds (no identity files). */
    Cmd.Result sshWithAgent(Sshd sshd, Path sock) {
        return Cmd.run(List.of("ssh", "-F", "/dev/null", "-p", Integer.toString(sshd.port()),
                "-o", "IdentityAgent=" + sock, "-o", "IdentityFile=" + tmp.resolve("no-such-identity"),
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
                "-o", "PreferredAuthentications=publickey", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=no", USER + "@127.0.0.1", "true"), null, Map.of(), null);
    }
}
