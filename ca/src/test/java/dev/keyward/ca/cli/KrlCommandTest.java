package dev.keyward.ca.cli;

import static dev.keyward.ca.cli.KeywardCaCliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.krl.Krl;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.OpenSshTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward-ca krl} with what {@code ssh-keygen -k} offers: several CAs and a wildcard section, certificates as
 * input, keys by hash and by fingerprint. Every KRL is checked with {@code ssh-keygen -Q} against keys and
 * certificates it should and should not revoke, and read back by {@link Krl} with the same answers.
 */
class KrlCommandTest {
    @TempDir
    Path tmp;
    Path ca1;
    Path ca2;
    Path ca3;

    @BeforeEach
    void cas() {
        ca1 = tmp.resolve("ca1");
        ca2 = tmp.resolve("ca2");
        assertEquals(0, cli("init", "--key", "file:" + ca1, "--algorithm", "ecdsa-p256").code());
        assertEquals(0, cli("init", "--key", "file:" + ca2, "--algorithm", "ed25519").code());
        ca3 = Cmd.sshKeygen(tmp, "ca3", "ed25519", 0); // an ssh-keygen CA Keyward has no key for
    }

    /** A new key, certified by {@code ca} (an ssh-keygen private key file) with this serial and key ID. */
    Path cert(Path ca, long serial, String keyId) {
        Path pub = Path.of(Cmd.sshKeygen(Files.exists(tmp.resolve("k")) ? tmp.resolve("k") : mkdir(tmp.resolve("k")),
                "k" + System.nanoTime(), "ed25519", 0) + ".pub");
        Cmd.run(List.of("ssh-keygen", "-q", "-s", ca.toString(), "-I", keyId, "-n", "p", "-z", Long.toString(serial),
                pub.toString())).orThrow();
        return Path.of(pub.toString().replace(".pub", "-cert.pub"));
    }

    Path key() {
        return Path.of(Cmd.sshKeygen(mkdir(tmp.resolve("k")), "k" + System.nanoTime(), "ed25519", 0) + ".pub");
    }

    static Path mkdir(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** ssh-keygen -Q and Krl agree on every file, and say what {@code expected} says. */
    static void assertRevoked(Path krlFile, Map<Path, Boolean> expected) throws Exception {
        List<Path> files = new ArrayList<>(expected.keySet());
        Map<Path, Boolean> openssh = OpenSshTool.queryRevoked(krlFile, files);
        Krl krl = Krl.parseForInstall(Files.readAllBytes(krlFile));
        for (Path f : files) {
            String line = Files.readString(f);
            boolean ours = line.contains("-cert-v01@openssh.com")
                    ? krl.isRevoked(CertificateCodec.decodeLine(line))
                    : krl.isRevoked(dev.keyward.ca.testing.TestKeys.read(f));
            assertEquals(expected.get(f), openssh.get(f), "ssh-keygen -Q on " + f.getFileName());
            assertEquals(expected.get(f), ours, "Krl on " + f.getFileName());
        }
    }

    @Test
    void revokesUnderSeveralCasAndAnyCa() throws Exception {
        Path ca1Cert10 = cert(ca1, 10, "a");
        Path ca1Cert11 = cert(ca1, 11, "b");
        Path ca2Cert10 = cert(ca2, 10, "a");
        Path ca2Cert12 = cert(ca2, 12, "c");
        Path ca3Wild = cert(ca3, 99, "wild");
        Path ca3Other = cert(ca3, 5, "z");
        Path ca3Serial7 = cert(ca3, 7, "y");
        Path krl = tmp.resolve("k.krl");
        var r = cli("krl", "--key", "file:" + ca1, "--serial", "10", "--ca", ca2 + ".pub", "--serial", "12-13",
                "--key-id", "nobody", "--any-ca", "--key-id", "wild", "--serial", "7", "--version", "3", "-o",
                krl.toString());
        assertEquals(0, r.code(), r.err());
        Map<Path, Boolean> expected = new LinkedHashMap<>();
        expected.put(ca1Cert10, true);
        expected.put(ca1Cert11, false);
        expected.put(ca2Cert10, false);
        expected.put(ca2Cert12, true);
        expected.put(ca3Wild, true); // key ID under any CA
        expected.put(ca3Serial7, true); // serial under any CA
        expected.put(ca3Other, false);
        assertRevoked(krl, expected);
        String listing = OpenSshTool.list(krl);
        assertEquals(2, listing.lines().filter(l -> l.startsWith("# CA key ")).count(), listing);
        assertTrue(listing.contains("# Wildcard CA"), listing);
    }

    @Test
    void revokesKeysByHashAndFingerprintAndCertificatesByTheirSerial() throws Exception {
        Path byHash = key();
        Path bySha1 = key();
        Path bySha256Fingerprint = key();
        Path bySha1Fingerprint = key();
        Path untouched = key();
        String sha256 = Cmd.run(List.of("ssh-keygen", "-l", "-f", bySha256Fingerprint.toString())).orThrow().stdout()
                .split(" ")[1];
        String sha1 = Cmd.run(List.of("ssh-keygen", "-l", "-E", "sha1", "-f", bySha1Fingerprint.toString())).orThrow()
                .stdout().split(" ")[1];
        assertTrue(sha256.startsWith("SHA256:") && sha1.startsWith("SHA1:"), sha256 + " " + sha1);
        Path revokedCert = cert(ca3, 77, "c77");
        Path sameCaOtherSerial = cert(ca3, 78, "c77");
        Path zeroSerial = cert(ca3, 0, "zero");
        Path zeroSerialOtherId = cert(ca3, 0, "another");
        Path otherCaSameSerial = cert(ca1, 77, "c77");
        Path krl = tmp.resolve("k.krl");
        var r = cli("krl", "--revoke-key-hash", byHash.toString(), "--revoke-key-sha1", bySha1.toString(),
                "--revoke-fingerprint", sha256, "--revoke-fingerprint", sha1.toLowerCase().substring(0, 5)
                        + sha1.substring(5),
                "--revoke-cert", revokedCert.toString(), "--revoke-cert", zeroSerial.toString(), "-o", krl.toString());
        assertEquals(0, r.code(), r.err());
        Map<Path, Boolean> expected = new LinkedHashMap<>();
        expected.put(byHash, true);
        expected.put(bySha1, true);
        expected.put(bySha256Fingerprint, true);
        expected.put(bySha1Fingerprint, true);
        expected.put(untouched, false);
        expected.put(revokedCert, true);
        expected.put(sameCaOtherSerial, false);
        expected.put(zeroSerial, true);
        expected.put(zeroSerialOtherId, false);
        expected.put(otherCaSameSerial, false);
        assertRevoked(krl, expected);
        String listing = OpenSshTool.list(krl);
        assertFalse(listing.contains(Files.readString(byHash).split(" ")[1]), "a hash, not the key: " + listing);
    }

    @Test
    void helpDescribesTheSections() {
        var r = cli("krl", "--help");
        assertEquals(0, r.code(), r.err());
        for (String option : List.of("--key=URI", "--ca=CA.pub", "--any-ca", "--serial=N|A-B", "--key-id=ID",
                "--revoke-cert=CERT.pub", "--revoke-key-hash=FILE.pub", "--revoke-key-sha1=FILE.pub",
                "--revoke-fingerprint=SHA256:...|SHA1:...", "--revoke-key=FILE.pub")) {
            assertTrue(r.out().contains(option), option + " in " + r.out());
        }
        assertTrue(r.out().contains("each --key, --ca or --any-ca starts a section"), r.out());
        assertEquals(0, cli("sign", "--help").code());
    }

    @Test
    void badInputIsOneClearLineAndWritesNothing() throws Exception {
        Path krl = tmp.resolve("bad.krl");
        Path cert = cert(ca3, 5, "x");
        String line = Files.readString(cert);
        int at = line.indexOf(' ') + 60;
        Path tampered = Files.writeString(tmp.resolve("tampered-cert.pub"),
                line.substring(0, at) + (line.charAt(at) == 'A' ? 'B' : 'A') + line.substring(at + 1));
        for (String[] args : List.of(
                new String[] {"--revoke-fingerprint", "MD5:00:11", "fingerprint must look like SHA256"},
                new String[] {"--revoke-fingerprint", "SHA256:AAAA", "32 bytes"},
                new String[] {"--revoke-cert", tampered.toString(), "is not a certificate that verifies"},
                new String[] {"--revoke-cert", ca3 + ".pub", "is not a certificate that verifies"},
                new String[] {"--revoke-key-hash", cert.toString(), "expected a public key, got a certificate"})) {
            var r = cli("krl", args[0], args[1], "-o", krl.toString());
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains(args[2]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(krl));
        }
        var noCa = cli("krl", "--serial", "5", "-o", krl.toString());
        assertEquals(2, noCa.code(), noCa.err());
        assertTrue(noCa.err().contains("--key") && noCa.err().contains("--any-ca"), noCa.err());
        assertFalse(Files.exists(krl));
    }
}
