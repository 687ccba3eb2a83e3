package dev.keyward.ca.cert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CertificateCodecTest {
    @TempDir
    static Path tmp;

    static final Map<CaAlgorithm, CaSigner> CAS = new EnumMap<>(CaAlgorithm.class);

    @BeforeAll
    static void createCaKeys() {
        for (CaAlgorithm a : List.of(CaAlgorithm.ED25519, CaAlgorithm.ECDSA_P256, CaAlgorithm.ECDSA_P384,
                CaAlgorithm.RSA_3072)) {
            CAS.put(a, Signers.create("file:" + tmp.resolve("ca-" + a.label()), a, SecretSource.of(Map.of())));
        }
    }

    static Stream<Arguments> subjectsAndCas() {
        return Stream.of(TestKeys.ALL_TYPES).flatMap(t -> CAS.keySet().stream().flatMap(
                ca -> Stream.of(Arguments.of(t, ca, CertType.USER), Arguments.of(t, ca, CertType.HOST))));
    }

    @ParameterizedTest(name = "{0} signed by {1} ({2})")
    @MethodSource("subjectsAndCas")
    void roundTripsAndSshKeygenParses(String subjectType, CaAlgorithm caAlg, CertType type) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "c");
        Path pub = TestKeys.publicKeyFile(dir, "subject", subjectType);
        SshPublicKey key = TestKeys.read(pub);
        long now = System.currentTimeMillis() / 1000;
        Certificate.Builder b = Certificate.builder().key(key).serial(Long.parseUnsignedLong("18446744073709551000"))
                .type(type).keyId("alice@example.com-42").principals(List.of("alice", "root"))
                .validity(now - 60, now + 3600);
        if (type == CertType.USER) {
            b.defaultUserExtensions().criticalOption("source-address", "127.0.0.1/32,::1")
                    .criticalOption("force-command", "/usr/bin/id -u");
        }
        Certificate cert = b.build();
        SignedCertificate signed = CertificateCodec.sign(cert, CAS.get(caAlg));

        SignedCertificate decoded = CertificateCodec.decodeLine(signed.toOpenSsh());
        assertEquals(cert, decoded.certificate());
        assertEquals(CAS.get(caAlg).publicKey(), decoded.caKey());
        assertArrayEquals(signed.encoded(), decoded.encoded());

        Path certFile = dir.resolve("subject-cert.pub");
        Files.writeString(certFile, signed.toOpenSsh() + "\n");
        String listing = Cmd.run(List.of("ssh-keygen", "-L", "-f", certFile.toString())).orThrow().stdout();
        assertTrue(listing.contains("Type: " + key.type().certName() + " " + type.label() + " certificate"), listing);
        assertTrue(listing.contains("Serial: 18446744073709551000"), listing);
        assertTrue(listing.contains("Key ID: \"alice@example.com-42\""), listing);
        assertTrue(listing.contains("Signing CA: " + CAS.get(caAlg).publicKey().type().displayName() + " "
                + CAS.get(caAlg).publicKey().fingerprint()), listing);
        assertTrue(listing.contains("Public key: " + key.type().displayName() + "-CERT " + key.fingerprint()), listing);
        if (type == CertType.USER) {
            assertTrue(listing.contains("force-command /usr/bin/id -u"), listing);
            assertTrue(listing.contains("source-address 127.0.0.1/32,::1"), listing);
            assertTrue(listing.contains("permit-pty"), listing);
        }
        String signatureAlg = caAlg == CaAlgorithm.RSA_3072 ? "rsa-sha2-512" : CAS.get(caAlg).publicKey().type().sshName();
        assertEquals(signatureAlg, signed.signatureAlgorithm());
    }

    @Test
    void decoderRejectsATamperedCertificate() throws Exception {
        SshPublicKey key = TestKeys.read(TestKeys.publicKeyFile(Files.createTempDirectory(tmp, "t"), "s", "ed25519"));
        SignedCertificate signed = CertificateCodec.sign(minimal(key).build(), CAS.get(CaAlgorithm.ECDSA_P256));
        byte[] blob = signed.encoded();
        // flip a byte of the key ID ("alice" starts somewhere after the serial); find it
        int at = indexOf(blob, "alice".getBytes());
        blob[at] = 'A';
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CertificateCodec.decode(blob));
        assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());
        byte[] truncated = java.util.Arrays.copyOf(signed.encoded(), signed.encoded().length - 10);
        e = assertThrows(InvalidInputException.class, () -> CertificateCodec.decode(truncated));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        String line = signed.toOpenSsh();
        e = assertThrows(InvalidInputException.class, () -> CertificateCodec.decodeLine("ssh-ed25519 "
                + Base64.getEncoder().encodeToString(signed.encoded())));
        assertTrue(e.getMessage().contains("not an OpenSSH certificate type"), e.getMessage());
        assertEquals(signed.certificate(), CertificateCodec.decodeLine(line).certificate());
    }

    @Test
    void builderValidatesEveryField() throws Exception {
        SshPublicKey key = TestKeys.read(TestKeys.publicKeyFile(Files.createTempDirectory(tmp, "b"), "s", "ed25519"));
        assertBuildFails(minimal(key).principals(List.of()), "at least one principal");
        assertBuildFails(minimal(key).principals(List.of("a,b")), "commas");
        assertBuildFails(minimal(key).principals(List.of("a b")), "whitespace");
        assertBuildFails(minimal(key).principals(List.of("a\u0001")), "control");
        assertBuildFails(minimal(key).principals(List.of("a", "a")), "duplicate");
        assertBuildFails(minimal(key).keyId("has space"), "without spaces or parentheses");
        assertBuildFails(minimal(key).keyId("paren(s)"), "without spaces or parentheses");
        assertBuildFails(minimal(key).keyId(""), "needs a key ID");
        assertBuildFails(minimal(key).validity(100, 100), "validity is empty");
        assertBuildFails(minimal(key).criticalOption("source-address", "10.0.0.1/8"), "host bits");
        assertBuildFails(minimal(key).criticalOption("source-address", "example.com"), "not an IP address");
        assertBuildFails(minimal(key).criticalOption("source-address", "10.0.0.0/33"), "prefix exceeds");
        assertBuildFails(minimal(key).criticalOption("force-command", ""), "needs a command");
        assertBuildFails(minimal(key).criticalOption("no-such-option", ""), "unknown critical option");
        assertBuildFails(minimal(key).extension("permit-everything"), "unknown extension");
        assertBuildFails(minimal(key).type(CertType.HOST).extension("permit-pty"), "host certificates have no extensions");
        assertBuildFails(minimal(key).type(CertType.HOST).criticalOption("force-command", "x"), "no critical options");
        assertThrows(InvalidInputException.class, () -> minimal(key).extension("permit-pty").extension("permit-pty"));
        // unsigned 64-bit validity: "forever" is the largest value, and it is after any valid-after
        Certificate forever = minimal(key).validity(0, Certificate.FOREVER).build();
        assertTrue(forever.isValidAt(System.currentTimeMillis() / 1000));
        assertEquals(java.time.Instant.MAX, forever.validBeforeInstant());
        // extensions come out sorted by name whatever the insertion order
        Certificate sorted = minimal(key).extension("permit-pty").extension("permit-X11-forwarding")
                .extension("no-touch-required").build();
        assertEquals(List.of("no-touch-required", "permit-X11-forwarding", "permit-pty"),
                List.copyOf(sorted.extensions().keySet()));
    }

    private static Certificate.Builder minimal(SshPublicKey key) {
        return Certificate.builder().key(key).serial(1).type(CertType.USER).keyId("alice").principal("alice")
                .validity(1000, 2000);
    }

    private static void assertBuildFails(Certificate.Builder b, String expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, b::build);
        assertTrue(e.getMessage().contains(expected), "message was: " + e.getMessage());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
