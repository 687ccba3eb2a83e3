package dev.keyward.ca.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.testing.Cmd;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeywardCaCliTest {
    @TempDir
    Path tmp;

    Path ca;
    Path userPub;

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KeywardCaCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void setUp() {
        ca = tmp.resolve("ca");
        Run init = cli("init", "--key", "file:" + ca, "--algorithm", "ecdsa-p256");
        assertEquals(0, init.code(), init.err());
        userPub = Path.of(Cmd.sshKeygen(tmp, "id_ed25519", "ed25519", 0) + ".pub");
    }

    @Test
    void initPrintsThePublicKeyAndPubkeyPrintsItAgain() throws Exception {
        String pub = Files.readString(Path.of(ca + ".pub")).strip();
        Run p = cli("pubkey", "--key", "file:" + ca);
        assertEquals(0, p.code());
        assertEquals(pub, p.out().strip());
        assertTrue(pub.startsWith("ecdsa-sha2-nistp256 "));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(ca)));
    }

    @Test
    void initRefusesToOverwrite() throws Exception {
        byte[] before = Files.readAllBytes(ca);
        Run again = cli("init", "--key", "file:" + ca);
        assertEquals(1, again.code());
        assertTrue(again.err().contains("refusing to overwrite"), again.err());
        assertEquals(1, again.err().strip().lines().count(), "one line: " + again.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(ca)));
    }

    @Test
    void signWritesCertBesideThePublicKeyLikeSshKeygen() throws Exception {
        Run s = cli("sign", "--key", "file:" + ca, "--type", "user", "--principals", "alice,bob", "--key-id", "alice-1",
                "--serial", "18446744073709551615", "--validity", "+1h", "--force-command", "uptime",
                "--source-address", "10.0.0.0/8,::1", "--no-default-extensions", "--extension", "permit-pty", userPub.toString());
        assertEquals(0, s.code(), s.err());
        Path cert = tmp.resolve("id_ed25519-cert.pub");
        assertEquals(cert.toString(), s.out().strip());
        SignedCertificate c = CertificateCodec.decodeLine(Files.readString(cert));
        assertEquals(List.of("alice", "bob"), c.certificate().principals());
        assertEquals(-1L, c.certificate().serial());
        assertEquals(List.of("permit-pty"), List.copyOf(c.certificate().extensions().keySet()));
        assertEquals("uptime", c.certificate().criticalOptions().get("force-command"));
        long now = System.currentTimeMillis() / 1000;
        assertTrue(c.certificate().validAfter() <= now - 100, "back-dated for clock skew");
        assertTrue(Math.abs(c.certificate().validBefore() - (now + 3600)) < 10);
        String listing = Cmd.run(List.of("ssh-keygen", "-L", "-f", cert.toString())).orThrow().stdout();
        assertTrue(listing.contains("Serial: 18446744073709551615"), listing);

        Run inspect = cli("inspect", "--ca", ca + ".pub", cert.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("Key ID: \"alice-1\""));
        assertTrue(inspect.out().contains("CA: matches"));
    }

    @Test
    void signsHostCertificatesWithAbsoluteValidity() throws Exception {
        Run s = cli("sign", "--key", "file:" + ca, "--type", "host", "--principals", "web1.example.com", "--key-id",
                "web1", "--serial", "7", "--validity", "20260101000000:20270101000000", userPub.toString());
        assertEquals(0, s.code(), s.err());
        SignedCertificate c = CertificateCodec.decodeLine(Files.readString(tmp.resolve("id_ed25519-cert.pub")));
        assertEquals(1767225600L, c.certificate().validAfter());
        assertEquals(1798761600L, c.certificate().validBefore());
        assertTrue(c.certificate().extensions().isEmpty());
    }

    @Test
    void inspectRefusesTheWrongCa() throws Exception {
        cli("sign", "--key", "file:" + ca, "--type", "user", "--principals", "a", "--key-id", "a", "--serial", "1",
                "--validity", "+1h", userPub.toString());
        Run other = cli("init", "--key", "file:" + tmp.resolve("other"), "--algorithm", "ed25519");
        assertEquals(0, other.code());
        Run r = cli("inspect", "--ca", tmp.resolve("other.pub").toString(), tmp.resolve("id_ed25519-cert.pub").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not by the CA in"), r.err());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bad type|--type=guest|must be 'user' or 'host'",
            "principal with space|--principals=a b|may not contain commas, whitespace",
            "negative serial|--serial=-5|not an unsigned 64-bit number",
            "serial too large|--serial=18446744073709551616|not an unsigned 64-bit number",
            "bad validity|--validity=tomorrow|is not understood",
            "empty validity window|--validity=20270101000000:20260101000000|validity is empty",
            "february 30|--validity=20230230000000:20240101000000|20230230000000' is not a time that exists",
            "november 31|--validity=20230101000000:20231131120000|20231131120000' is not a time that exists",
            "hour 24|--validity=20230101240000:20240101000000|20230101240000' is not a time that exists",
            "empty principal|--principals=a,,b|principal names may not be empty",
            "trailing comma|--principals=a,|principal names may not be empty",
            "value on a flag extension|--extension=permit-pty=yes|is a flag and takes no value",
            "key id with parenthesis|--key-id=a(b)|without spaces or parentheses",
            "bad cidr|--source-address=10.0.0.0/40|prefix exceeds",
            "unknown extension|--extension=permit-root|unknown extension",
            "missing key file|--key=file:/nonexistent/ca|does not exist",
            "unknown key scheme|--key=hsm:foo|unknown key reference",
            "pin in uri|--key=pkcs11:token=t;object=o?module-path=/x.so&pin-value=1234|pin-value"})
    void badInputExitsNonZeroWithOneClearLine(String name, String override, String expected) {
        List<String> args = new java.util.ArrayList<>(List.of("sign", "--key=file:" + ca, "--type=user",
                "--principals=alice", "--key-id=k", "--serial=1", "--validity=+1h"));
        String flag = override.substring(0, override.indexOf('='));
        args.removeIf(a -> a.startsWith(flag + "="));
        args.add(override);
        args.add(userPub.toString());
        Run r = cli(args.toArray(String[]::new));
        assertTrue(r.code() != 0, name + " succeeded");
        assertTrue(r.err().contains(expected), name + ": " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(Files.exists(tmp.resolve("id_ed25519-cert.pub")), "nothing written on error");
    }

    @Test
    void principalsAreSplitOnCommasOnlyAndQuotesAreOrdinary() throws Exception {
        Path cert = tmp.resolve("id_ed25519-cert.pub");
        Run s = cli("sign", "--key=file:" + ca, "--type=user", "--principals=a\"b,c\"d", "--principals=e",
                "--key-id=k", "--serial=1", "--validity=+1h", userPub.toString());
        assertEquals(0, s.code(), s.err());
        assertEquals("", s.err(), "no picocli warning about quotes");
        assertEquals(List.of("a\"b", "c\"d", "e"), CertificateCodec.decodeLine(Files.readString(cert)).certificate().principals());
        s = cli("sign", "--key=file:" + ca, "--type=user", "--principals=a\"b", "--key-id=k", "--serial=2",
                "--validity=+1h", userPub.toString());
        assertEquals(0, s.code(), s.err());
        assertEquals("", s.err(), "no picocli warning about an unbalanced quote");
        assertEquals(List.of("a\"b"), CertificateCodec.decodeLine(Files.readString(cert)).certificate().principals());
        String listing = Cmd.run(List.of("ssh-keygen", "-L", "-f", cert.toString())).orThrow().stdout();
        assertTrue(listing.contains("                a\"b\n"), listing);
    }

    @Test
    void extensionsTakeAnOptionalValue() throws Exception {
        Run s = cli("sign", "--key=file:" + ca, "--type=user", "--principals=a", "--key-id=k", "--serial=1",
                "--validity=+1h", "--extension=login@example.com=alice=admin", "--extension=flag@example.com",
                "--extension=permit-pty", userPub.toString());
        assertEquals(0, s.code(), s.err());
        Path cert = tmp.resolve("id_ed25519-cert.pub");
        var ext = CertificateCodec.decodeLine(Files.readString(cert)).certificate().extensions();
        assertEquals("alice=admin", ext.get("login@example.com"));
        assertEquals("", ext.get("flag@example.com"));
        assertTrue(ext.keySet().containsAll(dev.keyward.ca.cert.CertOptions.DEFAULT_USER_EXTENSIONS), ext.toString());
        String listing = Cmd.run(List.of("ssh-keygen", "-L", "-f", cert.toString())).orThrow().stdout();
        assertTrue(listing.contains("login@example.com UNKNOWN OPTION: 0000000b616c6963653d61646d696e (len 15)"),
                listing);
        assertTrue(listing.contains("flag@example.com UNKNOWN FLAG OPTION"), listing);
    }

    @Test
    void badPublicKeyFilesAreRefused() throws Exception {
        Path weak = Path.of(Cmd.sshKeygen(tmp, "weak", "rsa", 1024) + ".pub");
        Run r = cli("sign", "--key=file:" + ca, "--type=user", "--principals=a", "--key-id=k", "--serial=1",
                "--validity=+1h", weak.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("RSA key is 1024 bits"), r.err());
        Path junk = tmp.resolve("junk.pub");
        Files.writeString(junk, "not a key\n");
        r = cli("sign", "--key=file:" + ca, "--type=user", "--principals=a", "--key-id=k", "--serial=1",
                "--validity=+1h", junk.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("keyward-ca: "), r.err());
        r = cli("sign", "--key=file:" + ca, "--type=user", "--principals=a", "--key-id=k", "--serial=1",
                "--validity=+1h", tmp.resolve("missing.pub").toString());
        assertTrue(r.err().contains("does not exist"), r.err());
        r = cli("sign", "--key=file:" + ca, "--type=host", "--principals=h", "--key-id=k", "--serial=1",
                "--validity=+1h", "--force-command=x", userPub.toString());
        assertTrue(r.err().contains("host certificates take no critical options"), r.err());
        r = cli("sign", "--key=file:" + ca, "--type=user", "--principals=a", "--key-id=k", "--serial=1",
                "--validity=+1h", Path.of(ca + ".pub").toString());
        assertTrue(r.err().contains("refusing to certify the CA's own key"), r.err());
    }

    @Test
    void krlCommandWritesAKrlThatSshKeygenReads() throws Exception {
        Run s = cli("sign", "--key=file:" + ca, "--type=user", "--principals=a", "--key-id=laptop", "--serial=50",
                "--validity=+1h", userPub.toString());
        assertEquals(0, s.code(), s.err());
        Path cert = tmp.resolve("id_ed25519-cert.pub");
        Path other = Path.of(Cmd.sshKeygen(tmp, "other", "ed25519", 0) + ".pub");
        Path krl = tmp.resolve("revoked.krl");
        Run k = cli("krl", "--key=file:" + ca, "--serial=10-60", "--serial=99", "--key-id=gone", "--revoke-key=" + other,
                "--version=7", "-o", krl.toString());
        assertEquals(0, k.code(), k.err());
        assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", krl.toString(), cert.toString())).exitCode());
        assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", krl.toString(), other.toString())).exitCode());
        assertEquals(0, Cmd.run(List.of("ssh-keygen", "-Q", "-f", krl.toString(), userPub.toString())).exitCode());
        String listing = Cmd.run(List.of("ssh-keygen", "-Q", "-l", "-f", krl.toString())).stdout();
        assertTrue(listing.contains("# KRL version 7"), listing);
        assertTrue(listing.contains("serial: 10-60"), listing);
        assertTrue(listing.contains("id: gone"), listing);

        Run backwards = cli("krl", "--key=file:" + ca, "--serial=60-10", "-o", krl.toString());
        assertEquals(1, backwards.code());
        assertTrue(backwards.err().contains("backwards"), backwards.err());
        Run zero = cli("krl", "--key=file:" + ca, "--serial=0", "-o", tmp.resolve("zero.krl").toString());
        assertEquals(1, zero.code(), zero.err());
        assertFalse(Files.exists(tmp.resolve("zero.krl")));
    }

    @Test
    void verboseAddsAStackTrace() {
        Run r = cli("--verbose", "sign", "--key=file:" + ca, "--type=user", "--principals=a b", "--key-id=k",
                "--serial=1", "--validity=+1h", userPub.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("InvalidInputException"), r.err());
    }

    @Test
    void encryptedSoftwareKeysNeedThePassphraseFromTheEnvironment() throws Exception {
        Path enc = tmp.resolve("enc");
        var secrets = dev.keyward.ca.sign.SecretSource.of(java.util.Map.of("KEYWARD_KEY_PASSPHRASE", "correct horse"));
        var signer = dev.keyward.ca.sign.Signers.create("file:" + enc, dev.keyward.ca.sign.CaAlgorithm.ED25519, secrets);
        assertTrue(Files.readString(enc).contains("OPENSSH PRIVATE KEY"));
        // ssh-keygen agrees the file is encrypted: -y without a passphrase fails
        assertTrue(Cmd.run(List.of("ssh-keygen", "-y", "-P", "", "-f", enc.toString())).exitCode() != 0);
        var reopened = dev.keyward.ca.sign.Signers.open("file:" + enc, secrets);
        assertEquals(signer.publicKey(), reopened.publicKey());
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.keyward.ca.InvalidInputException.class,
                () -> dev.keyward.ca.sign.Signers.open("file:" + enc, dev.keyward.ca.sign.SecretSource.of(java.util.Map.of())));
        assertTrue(e.getMessage().contains("KEYWARD_KEY_PASSPHRASE") || e.getMessage().contains("passphrase"), e.getMessage());
        var wrong = org.junit.jupiter.api.Assertions.assertThrows(dev.keyward.ca.InvalidInputException.class,
                () -> dev.keyward.ca.sign.Signers.open("file:" + enc,
                        dev.keyward.ca.sign.SecretSource.of(java.util.Map.of("KEYWARD_KEY_PASSPHRASE", "wrong"))));
        assertTrue(wrong.getMessage().contains("passphrase"), wrong.getMessage());
    }

    @Test
    void importsAnExistingSshKeygenCaKey() throws Exception {
        Path old = Cmd.sshKeygen(tmp, "old_ca", "ecdsa", 384);
        Run p = cli("pubkey", "--key", "file:" + old);
        assertEquals(0, p.code(), p.err());
        String expected = Files.readString(Path.of(old + ".pub")).strip().split(" ")[1];
        assertEquals(expected, p.out().strip().split(" ")[1]);
        Run s = cli("sign", "--key=file:" + old, "--type=user", "--principals=a", "--key-id=k", "--serial=1",
                "--validity=+1h", userPub.toString());
        assertEquals(0, s.code(), s.err());
    }
}
