package dev.keyward.agent.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.fs.ChangeSink;
import dev.keyward.agent.fs.SafeFiles;
import dev.keyward.agent.sync.InvalidStateException;
import dev.keyward.ca.testing.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's host-certificate check on certificates made by ssh-keygen: a valid OpenSSH certificate Keyward would
 * not issue is read (with its expiry) and renewed because of what it is, not reported as unreadable; the server may
 * not install one.
 */
class HostCertsTest {
    @TempDir
    Path root;
    Path hostKey;
    Path ca;

    @BeforeEach
    void setUp() throws Exception {
        hostKey = Cmd.sshKeygen(Files.createDirectories(root.resolve("etc/ssh")), "ssh_host_ed25519_key", "ed25519", 0);
        ca = Cmd.sshKeygen(Files.createDirectories(root.resolve("ca")), "host-ca", "ed25519", 0);
    }

    /** A fresh view of the files, as each agent cycle has (SafeFiles caches what it read). */
    private static HostCerts hostCerts(SafeFiles files) {
        return new HostCerts(files, "/etc/ssh/ssh_host_*_key.pub");
    }

    /** ssh-keygen -s -h for the host key, valid from a minute ago for a year: far from renewal by age. */
    private void certify(String keyId, String... more) {
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-s", ca.toString(), "-h", "-I", keyId,
                "-V", "-1m:+52w"));
        cmd.addAll(List.of(more));
        cmd.add(hostKey + ".pub");
        Cmd.run(cmd).orThrow();
    }

    private HostCerts.Status onlyStatus() throws Exception {
        try (SafeFiles files = new SafeFiles(new AgentPaths(root), false, ChangeSink.quiet())) {
            List<HostCerts.Status> s = hostCerts(files).status(Instant.now(), false);
            assertEquals(1, s.size());
            return s.get(0);
        }
    }

    @Test
    void aCertificateKeywardWouldIssueIsNotDue() throws Exception {
        certify("web1", "-n", "web1.example.com");
        HostCerts.Status s = onlyStatus();
        assertFalse(s.due(), s.why());
        assertTrue(s.cert().isPresent());
    }

    @Test
    void aValidCertificateKeywardWouldNotIssueIsReadAndRenewedForWhatItIs() throws Exception {
        certify("web 1 (old)", "-n", "web1.example.com");
        HostCerts.Status s = onlyStatus();
        assertTrue(s.cert().isPresent(), "read, with its expiry: " + s.why());
        assertEquals("web 1 (old)", s.cert().get().certificate().keyId());
        assertTrue(s.due());
        assertTrue(s.why().startsWith("not a certificate Keyward would issue: "), s.why());
        assertTrue(s.why().contains("without spaces or parentheses"), s.why());

        certify("web1"); // no principals
        s = onlyStatus();
        assertTrue(s.cert().isPresent() && s.due(), s.why());
        assertTrue(s.why().contains("at least one principal"), s.why());
    }

    @Test
    void aCorruptCertificateIsStillUnreadable() throws Exception {
        Files.writeString(Path.of(hostKey + "-cert.pub"), "ssh-ed25519-cert-v01@openssh.com AAAA\n");
        HostCerts.Status s = onlyStatus();
        assertTrue(s.cert().isEmpty() && s.due(), s.why());
        assertTrue(s.why().startsWith("certificate unreadable: "), s.why());
    }

    @Test
    void theServerMayNotInstallACertificateKeywardWouldNotIssue() throws Exception {
        certify("web 1", "-n", "web1.example.com");
        Path certFile = Path.of(hostKey + "-cert.pub");
        String line = Files.readString(certFile).strip();
        Files.delete(certFile);
        try (SafeFiles files = new SafeFiles(new AgentPaths(root), false, ChangeSink.quiet())) {
            HostCerts certs = hostCerts(files);
            InvalidStateException e = assertThrows(InvalidStateException.class,
                    () -> certs.install(List.of(line), certs.hostKeys(), Instant.now()));
            assertTrue(e.getMessage().contains("would not issue"), e.getMessage());
        }
        assertFalse(Files.exists(certFile), "nothing installed");
    }
}
