package dev.keyward.cli.cert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.cli.testing.TestCa;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local checks of the server's certificate, with certificates built by ca's builder and signed by test CAs. */
class CertVerifierTest {
    @TempDir
    static Path tmp;
    static TestCa ca;
    static TestCa otherCa;
    static SshPublicKey ours;
    static SshPublicKey theirs;

    @BeforeAll
    static void keys() {
        ca = new TestCa(tmp, "ca");
        otherCa = new TestCa(tmp, "other-ca");
        ours = new TestCa(tmp, "ours").publicKey();
        theirs = new TestCa(tmp, "theirs").publicKey();
    }

    static SignedCertificate verify(SignedCertificate cert, List<SshPublicKey> listed, List<SshPublicKey> pinned) {
        return CertVerifier.verify(cert.toOpenSsh(), ours, listed, pinned, Instant.now());
    }

    @Test
    void acceptsAUserCertForOurKeyFromAListedCa() {
        SignedCertificate cert = ca.userCert(ours, 3600);
        assertEquals(cert.certificate(), verify(cert, List.of(otherCa.publicKey(), ca.publicKey()), List.of())
                .certificate());
        verify(cert, List.of(ca.publicKey()), List.of(ca.publicKey()));
    }

    @Test
    void refusesACertificateForAnotherKey() {
        CertificateRejectedException e = assertThrows(CertificateRejectedException.class,
                () -> verify(ca.userCert(theirs, 3600), List.of(ca.publicKey()), List.of()));
        assertTrue(e.getMessage().contains("for another key (" + theirs.fingerprint()), e.getMessage());
    }

    @Test
    void refusesAHostCertificate() {
        SignedCertificate host = ca.sign(Certificate.builder().type(CertType.HOST).key(ours), 3600);
        assertRejected("a host certificate, not a user certificate", host, List.of(ca.publicKey()), List.of());
    }

    @Test
    void refusesACaTheServerDoesNotPublish() {
        assertRejected("which the server does not publish", otherCa.userCert(ours, 3600), List.of(ca.publicKey()),
                List.of());
    }

    @Test
    void refusesAListedCaThatIsNotPinnedAndSaysHowToAcceptARotation() {
        assertRejected("--accept-new-ca", otherCa.userCert(ours, 3600),
                List.of(ca.publicKey(), otherCa.publicKey()), List.of(ca.publicKey()));
    }

    @Test
    void refusesAnExpiredCertificate() {
        // valid from a minute ago for 30 s: expired half a minute ago
        assertRejected("not valid now", ca.userCert(ours, -30), List.of(ca.publicKey()), List.of());
    }

    @Test
    void refusesGarbageAndABrokenSignature() {
        assertThrows(CertificateRejectedException.class,
                () -> CertVerifier.verify("not a cert", ours, List.of(ca.publicKey()), List.of(), Instant.now()));
        String line = ca.userCert(ours, 3600).toOpenSsh();
        char[] chars = line.toCharArray();
        int i = chars.length - 10; // inside the signature
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        CertificateRejectedException e = assertThrows(CertificateRejectedException.class,
                () -> CertVerifier.verify(new String(chars), ours, List.of(ca.publicKey()), List.of(), Instant.now()));
        assertTrue(e.getMessage().contains("not valid"), e.getMessage());
    }

    /** The decoder reads any OpenSSH certificate (with warnings); what the server returns must be one Keyward issues. */
    @Test
    void refusesACertificateKeywardWouldNotIssue() throws Exception {
        Path pub = java.nio.file.Files.writeString(tmp.resolve("ours.pub"), ours.toOpenSsh() + "\n");
        dev.keyward.ca.testing.Cmd.run(List.of("ssh-keygen", "-q", "-s", tmp.resolve("ca").toString(), "-I",
                "alice laptop", "-n", "alice", "-V", "-1m:+1h", pub.toString())).orThrow();
        String line = java.nio.file.Files.readString(tmp.resolve("ours-cert.pub")).strip();
        CertificateRejectedException e = assertThrows(CertificateRejectedException.class,
                () -> CertVerifier.verify(line, ours, List.of(ca.publicKey()), List.of(), Instant.now()));
        assertTrue(e.getMessage().contains("Keyward would not issue") || e.getMessage().contains("not valid"),
                e.getMessage());
    }

    private static void assertRejected(String expected, SignedCertificate cert, List<SshPublicKey> listed,
            List<SshPublicKey> pinned) {
        CertificateRejectedException e = assertThrows(CertificateRejectedException.class,
                () -> verify(cert, listed, pinned));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
