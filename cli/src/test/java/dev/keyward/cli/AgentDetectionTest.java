package dev.keyward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.cli.testing.Cli;
import dev.keyward.cli.testing.EngineerHome;
import dev.keyward.cli.testing.FakeAgent;
import dev.keyward.cli.testing.GpgAgentProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ssh-agents that cannot hold certificates, detected after loading by the agent's own list of identities, and named
 * in a one-line warning by the process that holds the agent's socket: a stand-in agent (in this JVM) that answers
 * SSH_AGENT_FAILURE to a certificate, and a real gpg-agent, which answers success and keeps only the plain key. The
 * login still succeeds and the certificate file works with {@code ssh -i} against a real sshd.
 */
class AgentDetectionTest {
    static final String USER = Sshd.currentUser();

    @TempDir
    Path tmp;
    EngineerHome engineer;

    @BeforeEach
    void setUp() throws IOException {
        engineer = EngineerHome.certifyingFor(tmp, USER);
    }

    @AfterEach
    void tearDown() {
        engineer.close();
    }

    Cli.Run login(Path agentSocket) {
        return engineer.login(agentSocket);
    }

    Path keyward() {
        return engineer.keywardKey();
    }

    @Test
    void anAgentRefusingCertificatesIsNamedAndKeepsTheInMemoryKey() throws Exception {
        try (FakeAgent agent = FakeAgent.start(tmp.resolve("agent/S.fake.ssh"))) {
            Cli.Run r = login(agent.socket());
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("ssh-agent:   key (in memory only) loaded for "), r.out());
            assertTrue(r.out().contains("the agent did not keep the certificate"), r.out());
            assertEquals("keyward: warning: the ssh-agent at " + agent.socket() + " (java (pid "
                    + ProcessHandle.current().pid() + ")) cannot hold certificates (it refused the certificate); ssh"
                    + " still uses the certificate file: ssh -i " + keyward() + "-cert.pub (the key stays in the"
                    + " agent), or plain ssh after keyward ssh-config --install\n", r.err());
            SshPublicKey pub = TestKeys.read(Path.of(keyward() + ".pub"));
            assertTrue(agent.held.stream().anyMatch(b -> Arrays.equals(b, pub.blob())), "the plain key is in it");
            // before the token is sent, then with the certificate's lifetime, then the certificate
            assertEquals(List.of("ssh-ed25519", "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com"), agent.addRequests);
            assertTrue(Files.exists(Path.of(keyward() + "-cert.pub")));
        }
    }

    @Test
    void anAgentRefusingCertificatesFromSshAddIsNamedToo() throws Exception {
        Cmd.sshKeygen(Files.createDirectories(engineer.home.resolve(".ssh")), "id_ed25519", "ed25519", 0);
        try (FakeAgent agent = FakeAgent.start(tmp.resolve("agent/S.fake.ssh"))) {
            Cli.Run r = login(agent.socket());
            assertEquals(0, r.code(), r.toString());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("keyward: warning: the ssh-agent at " + agent.socket() + " (java (pid "
                    + ProcessHandle.current().pid() + ")) cannot hold certificates (ssh-add loaded the key, but the"
                    + " agent does not list the certificate); ssh still uses the certificate file: ssh -i "
                    + engineer.home.resolve(".ssh/id_ed25519")), r.err());
            assertTrue(agent.addRequests.contains("ssh-ed25519-cert-v01@openssh.com"), "ssh-add offered it");
        }
    }

    @Test
    void gpgAgentAcceptsAndDropsCertificatesAndTheFileStillWorks() throws Exception {
        assumeTrue(GpgAgentProcess.installed(), "gpg-agent is not installed (apt-get install gpg-agent): the real"
                + " gpg-agent case is not run; the stand-in agent cases still are");
        try (GpgAgentProcess gpg = GpgAgentProcess.start(tmp.resolve("gpg"));
                Sshd sshd = Sshd.start(tmp.resolve("sshd"), null,
                        List.of("TrustedUserCAKeys " + engineer.ca.publicKeyFile()))) {
            Cli.Run r = login(gpg.socket());
            assertEquals(0, r.code(), r.toString());
            assertEquals("keyward: warning: the ssh-agent at " + gpg.socket() + " (gpg-agent (pid " + gpg.pid()
                    + ")) cannot hold certificates (it accepted the certificate but does not list it); ssh still uses"
                    + " the certificate file: ssh -i " + keyward() + "-cert.pub (the key stays in the agent), or plain"
                    + " ssh after keyward ssh-config --install\n", r.err());
            assertFalse(Files.exists(keyward()), "the private key was written");

            // what the warning says: ssh -i CERT, the key signing in gpg-agent (ssh pairs the certificate with the
            // agent's plain key of the same public half; IdentitiesOnly would keep that key out of its list)
            Cmd.Result ssh = Cmd.run(List.of("ssh", "-F", "/dev/null", "-p", Integer.toString(sshd.port()),
                    "-i", keyward() + "-cert.pub", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                    "-o", "LogLevel=ERROR", "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no",
                    USER + "@127.0.0.1", "true"), null, Map.of("SSH_AUTH_SOCK", gpg.socket().toString()), null);
            assertEquals(0, ssh.exitCode(), ssh.stderr() + sshd.log());
            assertTrue(sshd.log().contains("ED25519-CERT " + TestKeys.read(Path.of(keyward() + ".pub"))
                    .fingerprint()), sshd.log());
        }
    }
}
