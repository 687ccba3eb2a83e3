package dev.keyward.ca.krl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.OpenSshTool;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.ca.wire.SshReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KRLs written by ssh-keygen -k, read by {@link Krl}: same answers as ssh-keygen -Q, same contents. */
class KrlReaderOpenSshTest {
    private static KrlTestCa ca;
    private static SshPublicKey subject;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() {
        ca = new KrlTestCa();
        subject = KrlTestCa.newKey();
    }

    @Test
    void readsEverySectionTypeSshKeygenWritesAndAnswersLikeQuery() throws Exception {
        Random rnd = new Random(42);
        List<long[]> ranges = new ArrayList<>();
        for (long s = 10_000; s < 14_000; s++) { // dense: bitmaps
            if (rnd.nextInt(3) > 0) {
                ranges.add(new long[] {s, s});
            }
        }
        for (int i = 0; i < 200; i++) { // scattered: lists
            long s = 1_000_000 + (long) (rnd.nextDouble() * 1e10);
            ranges.add(new long[] {s, s});
        }
        ranges.add(new long[] {50_000, 90_000}); // range
        ranges.add(new long[] {-100L, -1L}); // up to 2^64-1
        long[] lo = ranges.stream().mapToLong(r -> r[0]).toArray();
        long[] hi = ranges.stream().mapToLong(r -> r[1]).toArray();

        SshPublicKey explicitKey = KrlTestCa.newKey();
        SshPublicKey hashedKey = KrlTestCa.newKey();
        String spec = KrlOracle.specLines(lo, hi) + "id: revoked-id\n"
                + "key: " + explicitKey.toOpenSshWithoutComment() + "\n"
                + "hash: " + hashedKey.fingerprint() + "\n";
        Path caPub = dir.resolve("ca.pub");
        Files.writeString(caPub, ca.publicKey().toOpenSshWithoutComment() + "\n");
        Path krlFile = OpenSshTool.generateKrl(dir.resolve("k.krl"), spec, "-s", caPub.toString(), "-z", "12345");
        byte[] bytes = Files.readAllBytes(krlFile);

        Krl krl = Krl.parse(bytes);
        assertEquals(12345, krl.version());
        assertTrue(Math.abs(krl.generatedDate() - System.currentTimeMillis() / 1000) < 600);
        assertEquals("", krl.comment());
        for (int type : new int[] {KrlFormat.CERT_SERIAL_LIST, KrlFormat.CERT_SERIAL_RANGE, KrlFormat.CERT_SERIAL_BITMAP,
                KrlFormat.CERT_KEY_ID}) {
            assertTrue(containsSubsection(bytes, type), "ssh-keygen wrote a " + KrlFormat.sectionName(type));
        }

        long[] probes = KrlOracle.boundaryProbes(lo, hi, 60, 3);
        KrlOracle.assertSerialsAgree(dir, krlFile, ca, subject, probes, "someone", KrlOracle.inAny(lo, hi));

        List<Path> files = new ArrayList<>();
        List<Boolean> ours = new ArrayList<>();
        SignedCertificate byId = ca.issue(subject, 5, "revoked-id");
        SignedCertificate forExplicit = ca.issue(explicitKey, 5, "x");
        files.add(KrlTestCa.write(dir, "byid", byId));
        ours.add(krl.isRevoked(byId));
        files.add(KrlTestCa.write(dir, "explicit", explicitKey));
        ours.add(krl.isRevoked(explicitKey));
        files.add(KrlTestCa.write(dir, "explicitcert", forExplicit));
        ours.add(krl.isRevoked(forExplicit));
        files.add(KrlTestCa.write(dir, "hashed", hashedKey));
        ours.add(krl.isRevoked(hashedKey));
        files.add(KrlTestCa.write(dir, "subject", subject));
        ours.add(krl.isRevoked(subject));
        Map<Path, Boolean> openssh = OpenSshTool.queryRevoked(krlFile, files);
        for (int i = 0; i < files.size(); i++) {
            assertEquals(openssh.get(files.get(i)), ours.get(i), files.get(i).getFileName().toString());
        }
        assertEquals(List.of(true, true, true, true, false), ours);

        // What we read is what ssh-keygen wrote: re-encoding the parsed contents gives the same bytes.
        assertArrayEquals(bytes, KrlWriter.write(krl.toSpec()));
    }

    /** Walks the KRL's structure (PROTOCOL.krl sections 1 and 2): does a certificates section hold this subsection type? */
    private static boolean containsSubsection(byte[] krl, int wanted) {
        SshReader r = new SshReader(krl, "KRL");
        r.raw(8 + 4 + 8 + 8 + 8, "header");
        r.string("reserved");
        r.string("comment");
        while (r.hasRemaining()) {
            int type = r.byte8("type");
            SshReader section = r.stringReader("section");
            if (type != KrlFormat.SECTION_CERTIFICATES) {
                continue;
            }
            section.string("CA key");
            section.string("reserved");
            while (section.hasRemaining()) {
                int sub = section.byte8("subsection type");
                section.string("subsection");
                if (sub == wanted) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void certificatesSignedBySshKeygenAreJudgedLikeQuery() throws Exception {
        Path caKey = Cmd.sshKeygen(dir, "ca", "ecdsa", 256);
        Path caPub = Path.of(caKey + ".pub");
        List<Path> certFiles = new ArrayList<>();
        long[] serials = {1, 99, 100, 150, 200, 201, 0};
        for (int i = 0; i < serials.length; i++) {
            Path userPub = TestKeys.publicKeyFile(dir, "user" + i, i % 2 == 0 ? "ed25519" : "ecdsa-256");
            String keyId = i == serials.length - 1 ? "zero-but-revoked-by-id" : "user" + i;
            Cmd.run(List.of("ssh-keygen", "-q", "-s", caKey.toString(), "-I", keyId, "-n", "p",
                    "-z", Long.toString(serials[i]), userPub.toString())).orThrow();
            certFiles.add(Path.of(userPub.toString().replace(".pub", "-cert.pub")));
        }
        Path krlFile = OpenSshTool.generateKrl(dir.resolve("k.krl"),
                "serial: 1\nserial: 100-200\nid: zero-but-revoked-by-id\n", "-s", caPub.toString(), "-z", "2");
        Krl krl = Krl.parse(Files.readAllBytes(krlFile));
        Map<Path, Boolean> openssh = OpenSshTool.queryRevoked(krlFile, certFiles);
        List<Boolean> ours = new ArrayList<>();
        for (Path f : certFiles) {
            SignedCertificate cert = CertificateCodec.decodeLine(Files.readString(f));
            ours.add(krl.isRevoked(cert));
            assertEquals(openssh.get(f), krl.isRevoked(cert), f.getFileName().toString());
            assertEquals(krl.isRevoked(cert), krl.isRevokedCertificate(cert.caKey(), cert.certificate().serial(),
                    cert.certificate().keyId(), cert.certificate().key()));
        }
        assertEquals(List.of(true, false, true, true, true, false, true), ours);
    }

    @Test
    void signatureSectionsAreRecordedButRefusedForInstall() throws Exception {
        Path caPub = dir.resolve("ca.pub");
        Files.writeString(caPub, ca.publicKey().toOpenSshWithoutComment() + "\n");
        byte[] plain = Files.readAllBytes(OpenSshTool.generateKrl(dir.resolve("k.krl"), "serial: 5\n",
                "-s", caPub.toString()));
        // PROTOCOL.krl section 6: byte 4, string signature_key, string signature (last in the file).
        byte[] key = ca.publicKey().blob();
        byte[] sig = "not verified by Keyward".getBytes(StandardCharsets.US_ASCII);
        KrlBytes signed = new KrlBytes().raw(plain).u8(KrlFormat.SECTION_SIGNATURE).string(key).string(sig);

        Krl krl = Krl.parse(signed.bytes());
        assertEquals(1, krl.signatures().size());
        assertArrayEquals(key, krl.signatures().get(0).keyBlob());
        assertArrayEquals(sig, krl.signatures().get(0).signature());
        assertTrue(krl.isRevoked(ca.issue(subject, 5, "x")));
        assertFalse(krl.isRevoked(ca.issue(subject, 6, "x")));

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Krl.parseForInstall(signed.bytes()));
        assertTrue(e.getMessage().contains("signature"), e.getMessage());
        Krl.parseForInstall(plain); // the unsigned original is fine

        // Anything but another signature after a signature is refused (krl.c and PROTOCOL.krl section 6).
        KrlBytes trailing = new KrlBytes().raw(signed.bytes()).u8(KrlFormat.SECTION_FINGERPRINT_SHA256)
                .string(new KrlBytes().string(new byte[32]).bytes());
        e = assertThrows(InvalidInputException.class, () -> Krl.parse(trailing.bytes()));
        assertTrue(e.getMessage().contains("after a signature"), e.getMessage());
    }
}
