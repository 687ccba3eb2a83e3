package dev.keyward.ca.cert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cli.KeywardCaCli;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.Cmd;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reading is not issuing: valid OpenSSH certificates that Keyward would not issue, made by {@code ssh-keygen -s},
 * decode with their fields intact and their signature verified, re-encode to the same bytes, and carry a warning.
 */
class OddOpenSshCertificatesTest {
    @TempDir
    static Path dir;
    static Path caKey;
    static CaSigner ca;
    static Path userPub;

    static final String LONG_ID = "id-" + "x".repeat(297);

    @BeforeAll
    static void keys() {
        caKey = Cmd.sshKeygen(dir, "ca", "ed25519", 0); // Ed25519 signatures are deterministic: re-signing gives the same bytes
        ca = Signers.open("file:" + caKey, SecretSource.of(Map.of()));
        userPub = Path.of(Cmd.sshKeygen(dir, "user", "ed25519", 0) + ".pub");
    }

    @AfterAll
    static void close() {
        ca.close();
    }

    /** name, ssh-keygen -s options, the key ID and principals ssh-keygen -L shows, a fragment of the warning. */
    static Stream<Arguments> oddCertificates() {
        return Stream.of(
                Arguments.of("key ID with spaces and parentheses", List.of("-I", "alice laptop (old)", "-n", "alice"),
                        "alice laptop (old)", List.of("alice"), "without spaces or parentheses"),
                Arguments.of("UTF-8 key ID", List.of("-I", "ålice-日本", "-n", "alice"), "ålice-日本", List.of("alice"),
                        "printable ASCII"),
                Arguments.of("key ID over 255 characters", List.of("-I", LONG_ID, "-n", "alice"), LONG_ID,
                        List.of("alice"), "longer than 255"),
                Arguments.of("no principals", List.of("-I", "k"), "k", List.of(), "at least one principal"),
                Arguments.of("principal with a space", List.of("-I", "k", "-n", "a b,c"), "k", List.of("a b", "c"),
                        "may not contain commas, whitespace"),
                Arguments.of("repeated principal", List.of("-I", "k", "-n", "a,a"), "k", List.of("a", "a"), "duplicate"),
                Arguments.of("extension without @", List.of("-I", "k", "-n", "a", "-O", "extension:foo"), "k",
                        List.of("a"), "unknown extension 'foo'"),
                Arguments.of("extension without @ with a value", List.of("-I", "k", "-n", "a", "-O", "extension:foo=bar"),
                        "k", List.of("a"), "unknown extension 'foo'"),
                Arguments.of("unknown critical option", List.of("-I", "k", "-n", "a", "-O", "critical:bar"), "k",
                        List.of("a"), "unknown critical option 'bar'"),
                Arguments.of("unknown critical option with a value", List.of("-I", "k", "-n", "a", "-O", "critical:bar=1"),
                        "k", List.of("a"), "unknown critical option 'bar'"),
                Arguments.of("host certificate without principals", List.of("-h", "-I", "web 1"), "web 1", List.of(),
                        "at least one principal"));
    }

    static SignedCertificate sshKeygenSign(List<String> options) throws Exception {
        Path pub = Files.createTempDirectory(dir, "c").resolve("user.pub");
        Files.copy(userPub, pub);
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-s", caKey.toString()));
        cmd.addAll(options);
        cmd.add(pub.toString());
        Cmd.run(cmd).orThrow();
        return CertificateCodec.decodeLine(Files.readString(SshKeygenFiles.certOf(pub), StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oddCertificates")
    void decodesWhatOpenSshReadsAndReEncodesTheSameBytes(String name, List<String> options, String keyId,
            List<String> principals, String warning) throws Exception {
        SignedCertificate read = sshKeygenSign(options);
        Certificate c = read.certificate();
        assertEquals(keyId, c.keyId());
        assertEquals(principals, c.principals());
        assertEquals(ca.publicKey(), read.caKey());
        // decode(encode): our encoder, given what we decoded and the same CA key, writes exactly ssh-keygen's bytes
        assertArrayEquals(read.encoded(), CertificateCodec.sign(c, ca).encoded(), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oddCertificates")
    void whatKeywardWouldNotIssueIsAWarning(String name, List<String> options, String keyId, List<String> principals,
            String warning) throws Exception {
        Certificate c = sshKeygenSign(options).certificate();
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains(warning)), c.warnings().toString());
        assertThrows(InvalidInputException.class, () -> c.toBuilder().build(), "the builder still refuses to issue it");
    }

    @Test
    void theSignatureIsStillVerified() throws Exception {
        SignedCertificate read = sshKeygenSign(List.of("-I", "alice laptop (old)"));
        byte[] blob = read.encoded();
        int at = indexOf(blob, "laptop".getBytes(StandardCharsets.US_ASCII));
        blob[at] = 'L';
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CertificateCodec.decode(blob));
        assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());
    }

    @Test
    void repeatedAndUnsortedOptionsAreWarnedAbout() throws Exception {
        Certificate c = sshKeygenSign(List.of("-I", "k", "-n", "a", "-O", "critical:bar", "-O", "critical:bar=1",
                "-O", "extension:foo=")).certificate();
        assertEquals(Map.of("bar", ""), c.criticalOptions(), "the first of a repeated option is kept");
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("critical option 'bar' appears more than once")),
                c.warnings().toString());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("extension 'foo' carries an empty string")),
                c.warnings().toString());
    }

    @Test
    void inspectShowsTheCertificateWithItsWarnings() throws Exception {
        Path pub = Files.createTempDirectory(dir, "i").resolve("user.pub");
        Files.copy(userPub, pub);
        Cmd.run(List.of("ssh-keygen", "-q", "-s", caKey.toString(), "-I", "alice laptop (old)", "-O", "critical:bar",
                pub.toString())).orThrow();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KeywardCaCli.run(new String[] {"inspect", "--ca", caKey + ".pub", SshKeygenFiles.certOf(pub).toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        String listing = out.toString();
        assertTrue(listing.contains("Key ID: \"alice laptop (old)\""), listing);
        assertTrue(listing.contains("Principals: (none)"), listing);
        assertTrue(listing.contains("Signature: valid"), listing);
        assertTrue(listing.contains("Warnings: Keyward would not issue this certificate:"), listing);
        assertTrue(listing.contains("without spaces or parentheses"), listing);
        assertTrue(listing.contains("at least one principal"), listing);
        assertTrue(listing.contains("unknown critical option 'bar'"), listing);
        assertTrue(listing.contains("CA: matches"), listing);
    }

    /** Our own odd certificates (built as read, then signed) decode to the same fields and the same warnings. */
    @Test
    void decodeOfEncodeRoundTripsCertificatesKeywardWouldNotIssue() throws Exception {
        Certificate odd = Certificate.builder().key(dev.keyward.ca.testing.TestKeys.read(userPub)).serial(0)
                .type(CertType.USER).keyId("a b (c) ☃").principals(List.of("x y", "x y")).validity(0, Certificate.FOREVER)
                .criticalOption("source-address", "::ffff:10.0.0.0/8").criticalOption("zzz", "1")
                .extension("no-at-sign", "v").buildAsRead(List.of());
        SignedCertificate signed = CertificateCodec.sign(odd, ca);
        SignedCertificate back = CertificateCodec.decodeLine(signed.toOpenSsh());
        assertEquals(odd, back.certificate());
        assertEquals(odd.warnings(), back.certificate().warnings());
        assertEquals(6, odd.warnings().size(), odd.warnings().toString());
        assertArrayEquals(signed.encoded(), back.encoded());
        String listing = Cmd.run(List.of("ssh-keygen", "-L", "-f",
                Files.writeString(dir.resolve("odd-cert.pub"), signed.toOpenSsh() + "\n").toString())).orThrow().stdout();
        assertTrue(listing.contains("Key ID: \"a b (c) ☃\""), listing);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i <= hay.length - needle.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    /** Where ssh-keygen -s writes the certificate for a public key file. */
    static final class SshKeygenFiles {
        static Path certOf(Path pub) {
            return Path.of(pub.toString().replaceAll("\\.pub$", "-cert.pub"));
        }
    }
}
