package dev.keyward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.cli.cert.CertFiles;
import dev.keyward.cli.testing.Cli;
import dev.keyward.cli.testing.TestCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward status --needs-renewal}: exit 0 (renew) with less than a third of the lifetime left, or no usable
 * certificate; 1 otherwise. The clock is fixed around the one-third mark of a 9000 s certificate.
 */
class StatusNeedsRenewalTest {
    static final long T0 = 1_800_000_000L;
    static final long LIFETIME = 9000;

    @TempDir
    Path tmp;
    Path home;
    Path key;
    SshPublicKey pub;
    TestCa ca;

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        key = Cmd.sshKeygen(Files.createDirectories(home.resolve(".ssh")), "id_ed25519", "ed25519", 0);
        pub = TestKeys.read(Path.of(key + ".pub"));
        ca = new TestCa(tmp, "user_ca");
    }

    Cli.Run needsRenewalAt(long epochSecond) {
        return Cli.run(home, Map.of(), Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC), "status",
                "--needs-renewal");
    }

    @Test
    void renewsOnlyWithLessThanAThirdOfTheLifetimeLeft() throws IOException {
        CertFiles.write(key, ca.userCert(pub, T0, T0 + LIFETIME), "");
        assertVerdict(needsRenewalAt(T0 - 100), 1, "no renewal needed: 2h31m40s of 2h30m left");
        assertVerdict(needsRenewalAt(T0 + 1), 1, "no renewal needed: 2h29m59s of 2h30m left");
        assertVerdict(needsRenewalAt(T0 + 5999), 1, "no renewal needed: 50m1s of 2h30m left");
        assertVerdict(needsRenewalAt(T0 + 6000), 1, "no renewal needed: 50m of 2h30m left"); // exactly a third
        assertVerdict(needsRenewalAt(T0 + 6001), 0, "renewal needed: 49m59s of 2h30m left (less than a third)");
        assertVerdict(needsRenewalAt(T0 + LIFETIME - 1), 0, "renewal needed: 1s of 2h30m left (less than a third)");
        assertVerdict(needsRenewalAt(T0 + LIFETIME), 0, "renewal needed: the certificate expired 0s ago");
        assertVerdict(needsRenewalAt(T0 + LIFETIME + 120), 0, "renewal needed: the certificate expired 2m ago");
    }

    @Test
    void noUsableCertificateNeedsRenewal() throws IOException {
        assertVerdict(needsRenewalAt(T0), 0, "renewal needed: no certificate at " + CertFiles.certPath(key));
        SshPublicKey other = new TestCa(tmp, "other").publicKey();
        CertFiles.write(key, ca.userCert(other, T0, T0 + LIFETIME), "");
        assertVerdict(needsRenewalAt(T0 + 10), 0, "renewal needed: the certificate is for another key than " + key
                + ".pub");
        Files.writeString(CertFiles.certPath(key), "ssh-ed25519-cert-v01@openssh.com AAAAbroken\n");
        assertVerdict(needsRenewalAt(T0 + 10), 0, "renewal needed: " + CertFiles.certPath(key)
                + " is not a valid certificate");
    }

    @Test
    void withNoKeyAtAllTheKeywardKeyIsDue() throws IOException {
        Files.delete(key);
        Files.delete(Path.of(key + ".pub"));
        assertVerdict(needsRenewalAt(T0), 0, "renewal needed: no certificate at "
                + home.resolve(".ssh/keyward_ed25519-cert.pub"));
    }

    @Test
    void anInMemoryKeyNoAgentHoldsIsDue() throws IOException {
        // what login leaves for a key kept only in ssh-agent: the public half and the certificate, no private key
        Path keyward = home.resolve(".ssh/keyward_ed25519");
        Files.delete(key);
        Files.move(Path.of(key + ".pub"), Path.of(keyward + ".pub"));
        CertFiles.write(keyward, ca.userCert(pub, T0, T0 + LIFETIME), "");
        assertVerdict(needsRenewalAt(T0 + 10), 0, "renewal needed: the key " + keyward + " lived only in ssh-agent,"
                + " and SSH_AUTH_SOCK is unset");
        Path gone = tmp.resolve("no-agent.sock");
        Cli.Run r = Cli.run(home, Cli.agentEnv(gone), Clock.fixed(Instant.ofEpochSecond(T0 + 10), ZoneOffset.UTC),
                "status", "--needs-renewal");
        assertVerdict(r, 0, "renewal needed: the key " + keyward + " lived only in ssh-agent, and the ssh-agent at "
                + gone + " does not hold it");
    }

    private static void assertVerdict(Cli.Run r, int code, String firstLine) {
        assertEquals(code, r.code(), r.toString());
        assertTrue(r.out().startsWith(firstLine), r.toString());
        assertEquals(1, r.out().lines().count(), r.toString());
        assertEquals("", r.err());
    }
}
