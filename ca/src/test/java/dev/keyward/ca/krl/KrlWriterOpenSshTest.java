package dev.keyward.ca.krl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.OpenSshTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** KRLs written by {@link KrlWriter}, checked with ssh-keygen: -Q answers, -Q -l listings and sizes. */
class KrlWriterOpenSshTest {
    private static final long MAX = -1L; // 2^64-1

    private static KrlTestCa ca;
    private static KrlTestCa otherCa;
    private static SshPublicKey subject;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() {
        ca = new KrlTestCa();
        otherCa = new KrlTestCa();
        subject = KrlTestCa.newKey();
    }

    record Serials(long[] lo, long[] hi) {
    }

    private static Serials serials(List<long[]> ranges) {
        return new Serials(ranges.stream().mapToLong(r -> r[0]).toArray(), ranges.stream().mapToLong(r -> r[1]).toArray());
    }

    static Stream<Arguments> serialScenarios() {
        Random rnd = new Random(20261129);
        List<long[]> scattered = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            long s = 1 + (long) (rnd.nextDouble() * 1e12);
            scattered.add(new long[] {s, s});
        }
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            long a = 1 + (long) (rnd.nextDouble() * 1e9);
            ranges.add(new long[] {a, a + rnd.nextInt(1_000_000)});
        }
        ranges.add(new long[] {5000, 5999});
        ranges.add(new long[] {6000, 6100}); // adjacent: merges with the previous
        ranges.add(new long[] {5500, 7000}); // overlapping
        List<long[]> dense = new ArrayList<>();
        long base = 1000;
        for (int cluster = 0; cluster < 5; cluster++) {
            for (int i = 0; i < 10_000; i++) {
                if (rnd.nextInt(10) < 6) {
                    dense.add(new long[] {base + i, base + i});
                }
            }
            base += 1_000_000;
        }
        List<long[]> mixed = new ArrayList<>();
        mixed.addAll(scattered.subList(0, 300));
        mixed.addAll(ranges.subList(0, 20));
        mixed.addAll(dense.subList(0, 2000));
        for (long s = 100_000_000_000L; s < 100_000_000_000L + 4000; s += 1 + rnd.nextInt(40)) {
            long len = rnd.nextInt(5); // short runs with small gaps: lists versus bitmaps
            mixed.add(new long[] {s, s + len});
        }
        mixed.add(new long[] {1, 1});
        mixed.add(new long[] {MAX - 10, MAX});
        mixed.add(new long[] {Long.MAX_VALUE, Long.MIN_VALUE}); // across 2^63
        return Stream.of(
                Arguments.of("scattered serials (lists)", serials(scattered)),
                Arguments.of("ranges, overlapping and adjacent", serials(ranges)),
                Arguments.of("dense clusters (bitmaps)", serials(dense)),
                Arguments.of("mixed, with 1, 2^63 and 2^64-1", serials(mixed)),
                Arguments.of("every serial", serials(List.<long[]>of(new long[] {1, MAX}))));
    }

    private Path caPub() throws Exception {
        Path p = dir.resolve("ca.pub");
        if (!Files.exists(p)) {
            Files.writeString(p, ca.publicKey().toOpenSshWithoutComment() + "\n");
        }
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serialScenarios")
    void serialsMatchSshKeygenByteForByteAndByAnswer(String name, Serials s) throws Exception {
        // ssh-keygen's KRL for the same serials; its generated_date is copied into ours so bytes can be compared.
        Path theirsFile = OpenSshTool.generateKrl(dir.resolve("theirs.krl"), KrlOracle.specLines(s.lo(), s.hi()),
                "-s", caPub().toString(), "-z", "9");
        byte[] theirs = Files.readAllBytes(theirsFile);
        long theirDate = Krl.parse(theirs).generatedDate();

        KrlSpec.Builder b = KrlSpec.builder().version(9).generatedDate(theirDate);
        KrlSpec.CaBuilder forCa = b.ca(ca.publicKey());
        for (int i = 0; i < s.lo().length; i++) {
            forCa.revokeSerialRange(s.lo()[i], s.hi()[i]);
        }
        KrlSpec spec = b.build();
        byte[] ours = KrlWriter.write(spec);
        Path oursFile = dir.resolve("ours.krl");
        Files.write(oursFile, ours);

        assertTrue(ours.length <= theirs.length, "ours " + ours.length + " bytes, ssh-keygen's " + theirs.length);
        assertArrayEquals(theirs, ours, "same list/range/bitmap choices as krl.c");

        long[] probes = KrlOracle.boundaryProbes(s.lo(), s.hi(), 40, 7);
        int revoked = KrlOracle.assertSerialsAgree(dir, oursFile, ca, subject, probes, "someone",
                KrlOracle.inAny(s.lo(), s.hi()));
        assertTrue(revoked > 0 && revoked < probes.length, "probes hit both revoked and unrevoked serials");

        String listing = OpenSshTool.list(oursFile);
        assertEquals(KrlOracle.listedSerialLines(spec.certificates().get(0).serials()),
                KrlOracle.linesStartingWith(listing, "serial: "));
        assertTrue(listing.contains("# CA key " + ca.publicKey().type().sshName() + " " + ca.publicKey().fingerprint()),
                listing.lines().limit(8).toList().toString());
        assertTrue(listing.contains("# KRL version 9"));
    }

    @Test
    void denseBitmapLongerThanOpenSshCanReadIsSplitAndStillLoads() throws Exception {
        // Every other serial from 1 to 60000: krl.c puts all of it in one 30000-bit bitmap, which its own reader
        // refuses ("bignum is too large"); ours starts a new bitmap every 16384 bits.
        long[] lo = new long[30_000];
        for (int i = 0; i < lo.length; i++) {
            lo[i] = 1 + 2L * i;
        }
        StringBuilder spec = new StringBuilder();
        for (long s : lo) {
            spec.append("serial: ").append(s).append('\n');
        }
        Path theirs = OpenSshTool.generateKrl(dir.resolve("theirs.krl"), spec.toString(), "-s", caPub().toString());
        Cmd.Result theirLoad = OpenSshTool.tryLoad(theirs);

        KrlSpec.Builder b = KrlSpec.builder();
        b.ca(ca.publicKey()).revokeSerials(lo);
        byte[] ours = KrlWriter.write(b.build());
        Path oursFile = dir.resolve("ours.krl");
        Files.write(oursFile, ours);
        assertEquals(0, OpenSshTool.tryLoad(oursFile).exitCode(), "ssh-keygen loads our KRL");
        if (theirLoad.exitCode() == 0) {
            assertTrue(ours.length <= Files.size(theirs), "no larger than a loadable ssh-keygen KRL");
        } else {
            assertTrue(theirLoad.stderr().contains("bignum is too large"), theirLoad.stderr());
        }
        assertTrue(ours.length < 8 * 1024, "still bitmaps, not a 240 kB list: " + ours.length);
        long[] probes = {1, 2, 3, 16383, 16384, 16385, 32767, 32768, 32769, 59999, 60000, 60001};
        KrlOracle.assertSerialsAgree(dir, oursFile, ca, subject, probes, "x", s -> s % 2 == 1 && s < 60000);
    }

    @Test
    void keyIdsRevokeUnderTheirCaAndUnderAnyCa() throws Exception {
        KrlSpec.Builder b = KrlSpec.builder().version(3);
        b.ca(ca.publicKey()).revokeKeyId("alice").revokeKeyId("bob@host").revokeSerial(50);
        b.anyCa().revokeKeyId("mallory").revokeSerialRange(1000, 1999);
        Path krl = dir.resolve("ids.krl");
        Files.write(krl, KrlWriter.write(b.build()));

        record Case(KrlTestCa by, long serial, String id, boolean revoked) {
        }
        List<Case> cases = List.of(
                new Case(ca, 1, "alice", true),
                new Case(ca, 0, "alice", true), // key IDs revoke even serial-0 certificates
                new Case(otherCa, 1, "alice", false), // alice is revoked under ca only
                new Case(ca, 1, "alice2", false),
                new Case(ca, 1, "Alice", false),
                new Case(ca, 7, "bob@host", true),
                new Case(otherCa, 1, "mallory", true), // any CA
                new Case(ca, 0, "mallory", true),
                new Case(ca, 50, "carol", true),
                new Case(otherCa, 50, "carol", false),
                new Case(otherCa, 999, "carol", false),
                new Case(otherCa, 1000, "carol", true), // any-CA serial range
                new Case(ca, 1999, "carol", true),
                new Case(ca, 2000, "carol", false),
                new Case(ca, 0, "carol", false)); // serial 0 is never revoked by serial
        Krl parsed = Krl.parse(Files.readAllBytes(krl));
        List<Path> files = new ArrayList<>();
        List<SignedCertificate> certs = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            SignedCertificate cert = c.by().issue(subject, c.serial(), c.id());
            certs.add(cert);
            files.add(KrlTestCa.write(dir, "id" + i, cert));
        }
        Map<Path, Boolean> openssh = OpenSshTool.queryRevoked(krl, files);
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            assertEquals(c.revoked(), openssh.get(files.get(i)), "ssh-keygen -Q: " + c);
            assertEquals(c.revoked(), parsed.isRevoked(certs.get(i)), "Krl.isRevoked: " + c);
        }
        String listing = OpenSshTool.list(krl);
        assertEquals(List.of("id: alice", "id: bob@host", "id: mallory"), KrlOracle.linesStartingWith(listing, "id: "));
        assertTrue(listing.contains("# Wildcard CA"));
    }

    @Test
    void anyCaSerialsMatchSshKeygenWithSNone() throws Exception {
        String spec = "serial: 7\nserial: 10-20\nid: eve\n";
        byte[] theirs = Files.readAllBytes(OpenSshTool.generateKrl(dir.resolve("theirs.krl"), spec, "-s", "none"));
        KrlSpec.Builder b = KrlSpec.builder().generatedDate(Krl.parse(theirs).generatedDate());
        b.anyCa().revokeSerial(7).revokeSerialRange(10, 20).revokeKeyId("eve");
        byte[] ours = KrlWriter.write(b.build());
        assertArrayEquals(theirs, ours);
        Path oursFile = dir.resolve("ours.krl");
        Files.write(oursFile, ours);
        long[] probes = {6, 7, 8, 9, 10, 20, 21};
        KrlOracle.assertSerialsAgree(dir, oursFile, ca, subject, probes, "x", s -> s == 7 || (s >= 10 && s <= 20));
        KrlOracle.assertSerialsAgree(dir, oursFile, otherCa, subject, probes, "x", s -> s == 7 || (s >= 10 && s <= 20));
    }

    @Test
    void explicitKeysAndHashesRevokeKeysAndCertificatesForThem() throws Exception {
        List<SshPublicKey> explicit = new ArrayList<>();
        List<SshPublicKey> hashed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            explicit.add(KrlTestCa.newKey());
            hashed.add(KrlTestCa.newKey());
        }
        SshPublicKey innocent = KrlTestCa.newKey();
        KrlTestCa revokedCa = new KrlTestCa();

        StringBuilder spec = new StringBuilder();
        KrlSpec.Builder b = KrlSpec.builder().version(4);
        for (SshPublicKey k : explicit) {
            spec.append("key: ").append(k.toOpenSshWithoutComment()).append('\n');
            b.revokeKey(k);
        }
        for (int i = 0; i < hashed.size(); i++) {
            SshPublicKey k = hashed.get(i);
            spec.append("hash: ").append(k.fingerprint()).append('\n');
            if (i % 2 == 0) {
                b.revokeFingerprint(k.fingerprint());
            } else {
                b.revokeKeyHash(k);
            }
        }
        spec.append("key: ").append(revokedCa.publicKey().toOpenSshWithoutComment()).append('\n');
        b.revokeKey(revokedCa.publicKey());
        b.revokeKey(explicit.get(0)); // duplicates collapse, as in ssh-keygen

        byte[] theirs = Files.readAllBytes(OpenSshTool.generateKrl(dir.resolve("theirs.krl"), spec.toString(), "-z", "4"));
        byte[] ours = KrlWriter.write(b.generatedDate(Krl.parse(theirs).generatedDate()).build());
        assertArrayEquals(theirs, ours, "keys and hashes sorted as krl.c sorts them");
        Path krl = dir.resolve("ours.krl");
        Files.write(krl, ours);
        Krl parsed = Krl.parse(ours);

        List<Path> files = new ArrayList<>();
        List<Boolean> expected = new ArrayList<>();
        List<Boolean> ourAnswers = new ArrayList<>();
        int n = 0;
        for (SshPublicKey k : explicit) {
            files.add(KrlTestCa.write(dir, "k" + n++, k));
            expected.add(true);
            ourAnswers.add(parsed.isRevoked(k));
        }
        for (SshPublicKey k : hashed) {
            files.add(KrlTestCa.write(dir, "k" + n++, k));
            expected.add(true);
            ourAnswers.add(parsed.isRevoked(k));
            SignedCertificate cert = ca.issue(k, 77, "hashed-subject"); // a certificate for a revoked key
            files.add(KrlTestCa.write(dir, "k" + n++, cert));
            expected.add(true);
            ourAnswers.add(parsed.isRevoked(cert));
        }
        files.add(KrlTestCa.write(dir, "k" + n++, innocent));
        expected.add(false);
        ourAnswers.add(parsed.isRevoked(innocent));
        SignedCertificate good = ca.issue(innocent, 77, "innocent");
        files.add(KrlTestCa.write(dir, "k" + n++, good));
        expected.add(false);
        ourAnswers.add(parsed.isRevoked(good));
        SignedCertificate byRevokedCa = revokedCa.issue(innocent, 77, "innocent");
        files.add(KrlTestCa.write(dir, "k" + n++, byRevokedCa));
        expected.add(true); // the CA key itself is revoked
        ourAnswers.add(parsed.isRevoked(byRevokedCa));

        Map<Path, Boolean> openssh = OpenSshTool.queryRevoked(krl, files);
        for (int i = 0; i < files.size(); i++) {
            assertEquals(expected.get(i), openssh.get(files.get(i)), "ssh-keygen -Q " + files.get(i).getFileName());
            assertEquals(expected.get(i), ourAnswers.get(i), "Krl.isRevoked " + files.get(i).getFileName());
        }
        String listing = OpenSshTool.list(krl);
        assertEquals(explicit.size() + 1 + hashed.size(), KrlOracle.linesStartingWith(listing, "hash: ").size(), listing);
        for (SshPublicKey k : explicit) {
            assertTrue(listing.contains("hash: " + k.fingerprint()), "explicit key listed by fingerprint");
        }
    }

    @Test
    void headerCarriesVersionDateAndComment() throws Exception {
        KrlSpec spec = KrlSpec.builder().version(Long.MIN_VALUE + 5).generatedDate(1_800_000_000L)
                .comment("keyward KRL").build();
        byte[] bytes = KrlWriter.write(spec);
        Path f = dir.resolve("h.krl");
        Files.write(f, bytes);
        String listing = OpenSshTool.list(f);
        assertTrue(listing.contains("# KRL version " + Long.toUnsignedString(Long.MIN_VALUE + 5)), listing);
        Krl krl = Krl.parse(bytes);
        assertEquals(Long.MIN_VALUE + 5, krl.version());
        assertEquals(1_800_000_000L, krl.generatedDate());
        assertEquals("keyward KRL", krl.comment());
        assertEquals(spec, krl.toSpec());
        assertFalse(krl.isRevoked(subject));
        assertNotEquals(0, bytes.length);
        assertTrue(Arrays.equals(bytes, krl.encoded()));
    }
}
