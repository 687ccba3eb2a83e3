package dev.keyward.web.engineer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.SshAgentProcess;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engineer's whole path with nothing edited by hand: on a home with no SSH key, {@code keyward login} against
 * the real server (an engineer token) and {@code keyward ssh-config --install}; then plain {@code ssh -p PORT
 * user@127.0.0.1 true}, with no {@code -F}, {@code -i} or {@code -o}, logs in to a real sshd that presents a host
 * certificate the server issued ({@code POST /api/v1/certs/host}) and trusts its user CA. ssh reads only what those
 * two commands wrote: the block makes it check the host strictly ({@code StrictHostKeyChecking yes}) against the
 * {@code @cert-authority} line, and offer the certificate. The same sshd without its host certificate is refused.
 *
 * <p>ssh finds {@code ~/.ssh/config} and expands {@code ~} through the password database, not {@code $HOME}: so each
 * ssh runs in a mount namespace of its own ({@code unshare --mount}) in which the test's home is bind-mounted over
 * the account's home directory. Nothing outside that process sees the mount.
 */
class PlainSshAfterSshConfigTest {
    static final String USER = Sshd.currentUser();

    @TempDir
    Path tmp;
    Path home;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Cmd.run(List.of("unshare", "--mount", "--propagation", "private", "true")).exitCode() == 0,
                "unshare --mount is not permitted here (no CAP_SYS_ADMIN): plain ssh reads the account's real"
                        + " home directory, so this test cannot give it the test's home");
        home = Files.createDirectories(tmp.resolve("home"));
    }

    /** {@code keyward ARGS} in-process with this test's home and {@code env}, as {@link EngineerLoginTest} runs it. */
    EngineerLoginTest.Run keyward(Map<String, String> env, String... args) {
        Map<String, String> vars = new HashMap<>(env);
        vars.put("HOME", home.toString());
        return EngineerLoginTest.keyward(vars, args);
    }

    @Test
    void plainSshLogsInWithTheInMemoryKeyAndVerifiesTheHostByCertificate() throws Exception {
        Path sock = tmp.resolve("agent.sock");
        try (TestServer server = TestServer.start(tmp.resolve("server"), TestDatabases.create());
                SshAgentProcess agent = SshAgentProcess.start(sock, tmp.resolve("agent.out"));
                Sshd sshd = certifiedSshd(server)) {
            String url = "http://127.0.0.1:" + server.port();
            Map<String, String> env = Map.of("SSH_AUTH_SOCK", sock.toString());
            Path token = secretFile("engineer-token", server.token("engineer", USER));

            EngineerLoginTest.Run login = keyward(env, "login", "--server", url, "--token-file", token.toString());
            assertEquals(0, login.code(), login.toString());
            assertTrue(login.out().contains("ssh-agent:   key (in memory only) and certificate loaded"), login.out());
            assertFalse(Files.exists(home.resolve(".ssh/keyward_ed25519")), "the private key was written");

            // before ssh-config: plain ssh has no way to trust the host
            Cmd.Result before = plainSsh(sshd, sock);
            assertNotEquals(0, before.exitCode(), before.stderr());
            assertTrue(before.stderr().contains("Host key verification failed"), before.stderr());

            EngineerLoginTest.Run install = keyward(Map.of(), "ssh-config", "--install", "--server", url, "--hosts",
                    "127.0.0.1");
            assertEquals(0, install.code(), install.toString());

            Cmd.Result ssh = plainSsh(sshd, sock);
            assertEquals(0, ssh.exitCode(), ssh.stderr() + sshd.log());
            SignedCertificate cert = CertificateCodec.decodeLine(Files.readString(
                    home.resolve(".ssh/keyward_ed25519-cert.pub")).strip());
            assertTrue(sshd.log().contains("Accepted publickey for " + USER + " from 127.0.0.1"), sshd.log());
            assertTrue(sshd.log().contains("ED25519-CERT " + cert.certificate().key().fingerprint() + " ID "
                    + cert.certificate().keyId() + " (serial " + Long.toUnsignedString(cert.certificate().serial())
                    + ")"), sshd.log());

            assertEquals(new TreeSet<>(Set.of(".config/keyward/host_ca_pins", ".config/keyward/user_ca_pins",
                    ".ssh/config", ".ssh/keyward/config", ".ssh/keyward/known_hosts", ".ssh/keyward_ed25519-cert.pub",
                    ".ssh/keyward_ed25519.pub")), filesUnder(home), "ssh read only these files");

            // the same sshd and host key without the certificate: strict checking refuses it
            try (Sshd uncertified = Sshd.start(tmp.resolve("sshd-plain"), sshd.hostKey(),
                    List.of("TrustedUserCAKeys " + trustedUserCas(server)))) {
                Cmd.Result refused = plainSsh(uncertified, sock);
                assertEquals(255, refused.exitCode(), refused.stderr());
                assertTrue(refused.stderr().contains("Host key verification failed"), refused.stderr());
                assertFalse(uncertified.log().contains("Accepted publickey"), uncertified.log());
            }
        }
    }

    @Test
    void plainSshLogsInWithAWrittenKeyAndNoAgent() throws Exception {
        try (TestServer server = TestServer.start(tmp.resolve("server"), TestDatabases.create());
                Sshd sshd = certifiedSshd(server)) {
            String url = "http://127.0.0.1:" + server.port();
            Path token = secretFile("engineer-token", server.token("engineer", USER));

            EngineerLoginTest.Run login = keyward(Map.of(), "login", "--server", url, "--token-file", token.toString(),
                    "--write-key");
            assertEquals(0, login.code(), login.toString());
            Path key = home.resolve(".ssh/keyward_ed25519");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
            EngineerLoginTest.Run install = keyward(Map.of(), "ssh-config", "--install", "--server", url, "--hosts",
                    "127.0.0.1");
            assertEquals(0, install.code(), install.toString());

            Cmd.Result ssh = plainSsh(sshd, null);
            assertEquals(0, ssh.exitCode(), ssh.stderr() + sshd.log());
            assertTrue(sshd.log().contains("Accepted publickey for " + USER + " from 127.0.0.1"), sshd.log());
            assertTrue(sshd.log().contains("ED25519-CERT"), sshd.log());
        }
    }

    /** An sshd trusting the server's user CA and presenting a host certificate the server issued for 127.0.0.1. */
    Sshd certifiedSshd(TestServer server) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("sshd"));
        Path hostKey = Cmd.sshKeygen(dir, "ssh_host_ed25519_key", "ed25519", 0);
        Api.Resp issued = server.api().post("/api/v1/certs/host", server.token("host", "e2e-host", "127.0.0.1"),
                Map.of("public_key", Files.readString(Path.of(hostKey + ".pub"))));
        assertEquals(201, issued.status(), issued.toString());
        Path hostCert = Files.writeString(Path.of(hostKey + "-cert.pub"),
                issued.json().get("certificate").asText() + "\n");
        return Sshd.start(dir, hostKey, List.of("TrustedUserCAKeys " + trustedUserCas(server),
                "HostCertificate " + hostCert));
    }

    Path trustedUserCas(TestServer server) throws IOException {
        return Files.writeString(tmp.resolve("trusted_user_ca_keys"), server.api().get("/api/v1/ca/user", null).body());
    }

    /**
     * {@code ssh -p PORT USER@127.0.0.1 true} as typed at a prompt, in a mount namespace where the test's home is the
     * account's home directory (see the class comment); stdin is /dev/null, so nothing can be asked.
     */
    Cmd.Result plainSsh(Sshd sshd, Path agentSocket) {
        Map<String, String> env = new HashMap<>(Map.of("HOME", System.getProperty("user.home")));
        env.put("SSH_AUTH_SOCK", agentSocket == null ? "" : agentSocket.toString());
        return Cmd.run(List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                "mount --bind \"$1\" \"$2\" && exec ssh -p \"$3\" \"$4@127.0.0.1\" true", "sh", home.toString(),
                System.getProperty("user.home"), Integer.toString(sshd.port()), USER), tmp, env, null);
    }

    Path secretFile(String name, String content) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, content + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    static Set<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
