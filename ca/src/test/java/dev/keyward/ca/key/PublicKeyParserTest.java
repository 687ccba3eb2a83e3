package dev.keyward.ca.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.wire.SshWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PublicKeyParserTest {
    private final PublicKeyParser parser = PublicKeyParser.withDefaults();

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ed25519,0,ssh-ed25519,256", "ecdsa,256,ecdsa-sha2-nistp256,256", "ecdsa,384,ecdsa-sha2-nistp384,384",
            "ecdsa,521,ecdsa-sha2-nistp521,521", "rsa,2048,ssh-rsa,2048", "rsa,3072,ssh-rsa,3072"})
    void parsesSshKeygenKeysWithIdenticalFingerprints(String type, int bits, String sshName, int expectBits) throws Exception {
        Path key = Cmd.sshKeygen(tmp, "k", type, bits);
        String line = Files.readString(Path.of(key + ".pub")).strip();
        SshPublicKey k = parser.parseLine(line);
        assertEquals(sshName, k.type().sshName());
        assertEquals(expectBits, k.bits());
        assertEquals("k", k.comment());
        assertEquals(line, k.toOpenSsh());
        String expected = Cmd.run(List.of("ssh-keygen", "-lf", key + ".pub")).orThrow().stdout().strip();
        assertEquals(expected, k.describe());
    }

    @ParameterizedTest
    @CsvSource({"sk-ssh-ed25519@openssh.com,ED25519-SK", "sk-ecdsa-sha2-nistp256@openssh.com,ECDSA-SK"})
    void parsesSecurityKeyTypesLikeSshKeygen(String typeName, String display) throws Exception {
        SshWriter w = new SshWriter().string(typeName);
        if (typeName.startsWith("sk-ssh-ed25519")) {
            SshPublicKey ed = parser.parseLine(Files.readString(Path.of(Cmd.sshKeygen(tmp, "e", "ed25519", 0) + ".pub")));
            w.bytes(ed.blobFieldsAfterType());
        } else {
            SshPublicKey ec = parser.parseLine(Files.readString(Path.of(Cmd.sshKeygen(tmp, "e", "ecdsa", 256) + ".pub")));
            w.bytes(ec.blobFieldsAfterType());
        }
        w.string("ssh:");
        String line = typeName + " " + Base64.getEncoder().encodeToString(w.toByteArray()) + " fido";
        SshPublicKey k = parser.parseLine(line);
        assertEquals(display, k.type().displayName());
        Path f = tmp.resolve("sk.pub");
        Files.writeString(f, line + "\n");
        assertEquals(Cmd.run(List.of("ssh-keygen", "-lf", f.toString())).orThrow().stdout().strip(), k.describe());
    }

    @Test
    void rejectsDsaKey() {
        String dsa = "ssh-dss " + Base64.getEncoder().encodeToString(new SshWriter().string("ssh-dss")
                .mpint(java.math.BigInteger.TWO).mpint(java.math.BigInteger.TWO).mpint(java.math.BigInteger.TWO)
                .mpint(java.math.BigInteger.TWO).toByteArray());
        assertMessage(dsa, "DSA keys");
    }

    @Test
    void rejectsRsa1024Key() throws Exception {
        Path key = Cmd.sshKeygen(tmp, "small", "rsa", 1024);
        assertMessage(Files.readString(Path.of(key + ".pub")), "RSA key is 1024 bits; the minimum is 2048");
        // the minimum is a setting
        assertEquals(1024, new PublicKeyParser(new KeyPolicy(1024)).parseLine(Files.readString(Path.of(key + ".pub"))).bits());
    }

    @Test
    void rejectsEcPointNotOnCurve() throws Exception {
        SshPublicKey k = parser.parseLine(Files.readString(Path.of(Cmd.sshKeygen(tmp, "e", "ecdsa", 256) + ".pub")));
        byte[] blob = k.blob();
        blob[blob.length - 1] ^= 0x01; // change y: no longer on the curve
        String line = "ecdsa-sha2-nistp256 " + Base64.getEncoder().encodeToString(blob);
        assertMessage(line, "not on curve nistp256");
    }

    @Test
    void rejectsCompressedEcPoint() throws Exception {
        byte[] q = new byte[33];
        q[0] = 0x02;
        byte[] blob = new SshWriter().string("ecdsa-sha2-nistp256").string("nistp256").string(q).toByteArray();
        assertMessage("ecdsa-sha2-nistp256 " + Base64.getEncoder().encodeToString(blob), "must be uncompressed");
    }

    @Test
    void rejectsTruncatedBlob() throws Exception {
        SshPublicKey k = parser.parseLine(Files.readString(Path.of(Cmd.sshKeygen(tmp, "e", "ed25519", 0) + ".pub")));
        byte[] blob = java.util.Arrays.copyOf(k.blob(), k.blob().length - 5);
        assertMessage("ssh-ed25519 " + Base64.getEncoder().encodeToString(blob), "truncated");
    }

    @Test
    void rejectsTrailingBytes() throws Exception {
        SshPublicKey k = parser.parseLine(Files.readString(Path.of(Cmd.sshKeygen(tmp, "e", "ed25519", 0) + ".pub")));
        byte[] blob = java.util.Arrays.copyOf(k.blob(), k.blob().length + 3);
        assertMessage("ssh-ed25519 " + Base64.getEncoder().encodeToString(blob), "3 trailing bytes");
    }

    @Test
    void rejectsInputOver16KiB() {
        assertMessage("ssh-ed25519 " + "A".repeat(17_000), "too long");
    }

    @Test
    void rejectsBadBase64TypeMismatchCertificatesAndUnknownTypes() throws Exception {
        assertMessage("ssh-ed25519 !!!notbase64", "not valid base64");
        SshPublicKey k = parser.parseLine(Files.readString(Path.of(Cmd.sshKeygen(tmp, "e", "ed25519", 0) + ".pub")));
        assertMessage("ssh-rsa " + Base64.getEncoder().encodeToString(k.blob()), "says ssh-rsa but the key inside is ssh-ed25519");
        assertMessage("ssh-ed25519-cert-v01@openssh.com AAAA", "got a certificate");
        assertMessage("ssh-foo AAAA", "unsupported key type");
        assertMessage("", "empty");
        assertMessage("ssh-ed25519", "needs a key type and a base64 key");
        byte[] shortKey = new SshWriter().string("ssh-ed25519").string(new byte[31]).toByteArray();
        assertMessage("ssh-ed25519 " + Base64.getEncoder().encodeToString(shortKey), "must be 32 bytes");
    }

    @Test
    void parsesAuthorizedKeysLinesWithOptions() throws Exception {
        String key = Files.readString(Path.of(Cmd.sshKeygen(tmp, "e", "ed25519", 0) + ".pub")).strip();
        String line = "from=\"10.0.0.0/8,192.168.1.1\",command=\"echo \\\"hi, there\\\"\",no-pty " + key;
        AuthorizedKeyLine parsed = AuthorizedKeyLine.parse(line, parser).orElseThrow();
        assertEquals(List.of("from=\"10.0.0.0/8,192.168.1.1\"", "command=\"echo \\\"hi, there\\\"\"", "no-pty"),
                parsed.options());
        assertEquals(line, parsed.format());
        assertTrue(AuthorizedKeyLine.parse("# a comment", parser).isEmpty());
        assertTrue(AuthorizedKeyLine.parse("   ", parser).isEmpty());
        assertEquals(List.of(), AuthorizedKeyLine.parse(key, parser).orElseThrow().options());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> AuthorizedKeyLine.parse("command=\"unterminated " + key, parser));
        assertTrue(e.getMessage().contains("unterminated quote"), e.getMessage());
    }

    private void assertMessage(String line, String expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> parser.parseLine(line));
        assertTrue(e.getMessage().contains(expected), "message was: " + e.getMessage());
    }

    @Test
    void fieldSplittingIsTheRegexSplitWithoutARegex() {
        java.util.Random rnd = new java.util.Random(7);
        char[] alphabet = {'a', 'b', ' ', '\t', '=', '\u00a0'};
        for (int n = 0; n < 20_000; n++) {
            StringBuilder b = new StringBuilder();
            int len = 1 + rnd.nextInt(12);
            for (int i = 0; i < len; i++) {
                b.append(alphabet[rnd.nextInt(alphabet.length)]);
            }
            String s = b.toString().strip();
            if (s.isEmpty()) {
                continue;
            }
            assertEquals(List.of(s.split("[ \t]+", 3)), List.of(PublicKeyParser.splitFields(s)), "'" + s + "'");
        }
    }

    static String ed25519Line(byte[] pk) {
        SshWriter w = new SshWriter();
        w.string("ssh-ed25519");
        w.string(pk);
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(w.toByteArray());
    }

    @Test
    void ed25519PointsOffTheCurveAreRefusedEveryTimeAndValidOnesParseAgain() {
        byte[] bad = null;
        for (int y = 2; y < 1000 && bad == null; y++) {
            byte[] candidate = new byte[32];
            candidate[0] = (byte) y;
            candidate[1] = (byte) (y >> 8);
            if (!org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartial(candidate, 0)) {
                bad = candidate;
            }
        }
        assertTrue(bad != null);
        for (int i = 0; i < 3; i++) {
            assertMessage(ed25519Line(bad), "not a point on the curve");
        }
        java.security.PublicKey pub;
        try {
            pub = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
        byte[] spki = pub.getEncoded();
        byte[] good = java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        SshPublicKey first = parser.parseLine(ed25519Line(good));
        assertEquals(first, parser.parseLine(ed25519Line(good)));
        assertMessage(ed25519Line(bad), "not a point on the curve");
    }
}
