package dev.keyward.web.engineer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.SshAgentProcess;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.cli.KeywardCli;
import dev.keyward.cli.config.CliEnv;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward login} (in-process, HOME in a temp dir) against a real server with an engineer token: the
 * certificate it writes and loads into a real ssh-agent (started here, stopped by its PID) lets ssh into a real
 * sshd whose TrustedUserCAKeys is {@code GET /api/v1/ca/user}, from the file and from the agent alone;
 * {@code status} reports it; {@code logout} removes it from the agent and disk. And the refusals: a wrong token, a
 * world-readable token file, the server down — each one clear line, nothing written.
 */
class EngineerLoginTest {
    static final String USER = Sshd.currentUser();

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run keyward(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KeywardCli.run(args, new PrintWriter(out), new PrintWriter(err),
                new CliEnv(env, false, Clock.systemUTC()));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void engineerLogsInSshsWithTheCertificateAndLogsOut() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path sshDir = Files.createDirectories(home.resolve(".ssh"));
        Path key = Cmd.sshKeygen(sshDir, "id_ed25519", "ed25519", 0);
        Path cert = Path.of(key + "-cert.pub");
        Path sock = tmp.resolve("agent.sock");

        try (TestServer server = TestServer.start(tmp.resolve("server"), TestDatabases.create());
                SshAgentProcess agent = SshAgentProcess.start(sock, tmp.resolve("agent.out"))) {
            String url = "http://127.0.0.1:" + server.port();
            Map<String, String> env = new HashMap<>(Map.of("HOME", home.toString(), "SSH_AUTH_SOCK", sock.toString()));
            Path tokenFile = secretFile("engineer-token", server.token("engineer", USER));

            // refusals first: nothing may be written by any of them
            Path wrong = secretFile("wrong-token", "kwt_not_a_real_token");
            Run r = keyward(env, "login", "--server", url, "--token-file", wrong.toString());
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().startsWith("keyward: the server did not accept the token"), r.err());
            assertFalse(r.err().contains("kwt_not_a_real_token"), r.err());
            Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-r--r--"));
            r = keyward(env, "login", "--server", url, "--token-file", wrong.toString());
            assertEquals(1, r.code());
            assertTrue(r.err().contains("is readable by other users; chmod 600"), r.err());
            assertFalse(Files.exists(cert));

            // login: default key ~/.ssh/id_ed25519, the engineer's own username as the principal
            r = keyward(env, "login", "--server", url, "--token-file", tokenFile.toString(), "--ttl", "30m");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("principals:  " + USER), r.out());
            assertTrue(r.out().contains("ssh-agent:   key and certificate loaded"), r.out());
            SignedCertificate issued = CertificateCodec.decodeLine(Files.readString(cert).strip());
            assertTrue(r.out().contains("serial:      " + issued.certificate().serial()), r.out());
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(cert)));
            String agentList = sshAdd(sock, "-L").stdout();
            assertTrue(agentList.contains(issued.toOpenSsh("").strip()), agentList);

            Run status = keyward(env, "status");
            assertEquals(0, status.code(), status.out() + status.err());
            assertTrue(status.out().contains("ssh-agent:   holds this certificate"), status.out());
            assertTrue(status.out().contains("CA:          " + issued.caKey().type().displayName() + " "
                    + issued.caKey().fingerprint()), status.out());

            Path trusted = Files.writeString(tmp.resolve("trusted_user_ca_keys"),
                    server.api().get("/api/v1/ca/user", null).body());
            try (Sshd sshd = Sshd.start(tmp.resolve("sshd"), null, List.of("TrustedUserCAKeys " + trusted))) {
                Cmd.Result login = sshd.login(USER, key, cert, null);
                assertEquals(0, login.exitCode(), login.stderr() + sshd.log());
                assertTrue(sshd.log().contains("ID " + issued.certificate().keyId() + " (serial "
                        + issued.certificate().serial() + ")"), sshd.log());
                // the agent alone: the private key and the certificate file out of the way
                Files.move(key, tmp.resolve("key.aside"));
                Files.move(cert, tmp.resolve("cert.aside"));
                assertEquals(0, sshThroughAgent(sshd, sock).exitCode(), sshd.log());
                Files.move(tmp.resolve("key.aside"), key);
                Files.move(tmp.resolve("cert.aside"), cert);

                Run logout = keyward(env, "logout");
                assertEquals(0, logout.code(), logout.out() + logout.err());
                assertTrue(logout.out().contains("Removed the certificate from ssh-agent"), logout.out());
                assertFalse(Files.exists(cert));
                assertFalse(sshAdd(sock, "-L").stdout().contains("-cert-v01@openssh.com"), "cert left the agent");
                assertNotEquals(0, sshThroughAgent(sshd, sock).exitCode(), "the plain key alone is not trusted");
                Run after = keyward(env, "status");
                assertEquals(1, after.code(), after.out());
                assertTrue(after.out().startsWith("No certificate"), after.out());
            }

            // the same server as localhost: its pins apply (no second trust on first use)
            r = keyward(env, "login", "--server", "http://localhost:" + server.port() + "/", "--token-file",
                    tokenFile.toString(), "--no-agent");
            assertEquals(0, r.code(), r.out() + r.err());
            assertFalse(r.out().contains("Pinned"), r.out());
            Files.delete(cert);

            // the server down: a clear line, no certificate written
            server.close();
            r = keyward(env, "login", "--server", url, "--token-file", tokenFile.toString());
            assertEquals(1, r.code(), r.out() + r.err());
            assertEquals("keyward: cannot reach the Keyward server at " + url + ": connection refused (is the"
                    + " server running, and is the URL right?)\n", r.err());
            assertFalse(Files.exists(cert));
        }
    }

    private Path secretFile(String name, String content) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, content + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private static Cmd.Result sshAdd(Path sock, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ssh-add"));
        cmd.addAll(List.of(args));
        return Cmd.run(cmd, null, Map.of("SSH_AUTH_SOCK", sock.toString()), null);
    }

    /** ssh offering only what the agent holds (no identity files). */
    private Cmd.Result sshThroughAgent(Sshd sshd, Path sock) {
        return Cmd.run(List.of("ssh", "-F", "/dev/null", "-p", Integer.toString(sshd.port()),
                "-o", "IdentityAgent=" + sock, "-o", "IdentityFile=" + tmp.resolve("no-such-identity"),
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
                "-o", "PreferredAuthentications=publickey", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=no", USER + "@127.0.0.1", "true"), tmp, Map.of(), null);
    }
}
