package dev.keyward.ca.krl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.OpenSshTool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad KRLs are refused with a clear {@link InvalidInputException}, and so does ssh-keygen where it applies. */
class KrlParserRejectsTest {
    private static SshPublicKey caKey;
    private static byte[] valid;

    @TempDir
    Path dir;

    @BeforeAll
    static void fixtures() {
        caKey = KrlTestCa.newKey();
        KrlSpec.Builder b = KrlSpec.builder().version(5).comment("fixture");
        b.ca(caKey).revokeSerial(3).revokeSerialRange(100, 200).revokeKeyId("alice");
        for (long s = 1000; s < 1100; s += 3) {
            b.ca(caKey).revokeSerial(s);
        }
        b.anyCa().revokeKeyId("bob");
        b.revokeKey(KrlTestCa.newKey()).revokeKeyHash(KrlTestCa.newKey());
        valid = KrlWriter.write(b.build());
    }

    private static KrlBytes certSection(KrlBytes subsections) {
        KrlBytes body = new KrlBytes().string(caKey.blob()).string(new byte[0]).raw(subsections.bytes());
        return KrlBytes.header().section(KrlFormat.SECTION_CERTIFICATES, body);
    }

    private static KrlBytes serialList(long... serials) {
        KrlBytes l = new KrlBytes();
        for (long s : serials) {
            l.u64(s);
        }
        return new KrlBytes().section(KrlFormat.CERT_SERIAL_LIST, l);
    }

    private static KrlBytes bitmap(long offset, byte[] mpint) {
        return new KrlBytes().section(KrlFormat.CERT_SERIAL_BITMAP, new KrlBytes().u64(offset).string(mpint));
    }

    private static byte[] withTrailing(byte[] base, byte... extra) {
        byte[] out = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, out, base.length, extra.length);
        return out;
    }

    /** name, bytes, expected message fragment, whether ssh-keygen (9.2) refuses it too. */
    static Stream<Arguments> badKrls() {
        byte[] badMagic = valid.clone();
        badMagic[3] = 'X';
        byte[] version2 = valid.clone();
        version2[11] = 2;
        byte[] hugeComment = KrlBytes.header().bytes();
        // The comment length is the last 4+0 bytes of the header (empty comment): claim 4 GiB instead.
        Arrays.fill(hugeComment, hugeComment.length - 4, hugeComment.length, (byte) 0xFF);
        byte[] bigBitmap = new byte[KrlFormat.MAX_BITMAP_BYTES + 1];
        bigBitmap[0] = 0x01;
        byte[] maxBitmap = new byte[KrlFormat.MAX_BITMAP_BYTES + 1]; // 0 sign byte + 2048 bytes: allowed
        maxBitmap[1] = (byte) 0x80;
        byte[] forgedCert = new KrlTestCa().issue(KrlTestCa.newKey(), 1, "x").encoded();
        forgedCert[forgedCert.length - 1] ^= 1; // the last byte of the signature
        byte[] sha256a = new byte[32];
        byte[] sha256b = new byte[32];
        sha256a[0] = 2;
        sha256b[0] = 1;
        return Stream.of(
                Arguments.of("empty file", new byte[0], "not a KRL", true),
                Arguments.of("bad magic", badMagic, "not a KRL", true),
                Arguments.of("format version 2", version2, "unsupported KRL format version 2", true),
                Arguments.of("truncated header", Arrays.copyOf(valid, 20), "truncated", true),
                Arguments.of("oversized comment length", hugeComment, "claims 4294967295 bytes", true),
                Arguments.of("one trailing byte", withTrailing(valid, (byte) 1), "truncated", true),
                Arguments.of("trailing garbage section", withTrailing(valid, (byte) 7, (byte) 0, (byte) 0, (byte) 0, (byte) 0),
                        "unknown section type 7", true),
                Arguments.of("serial 0 in a list", certSection(serialList(5, 0)).bytes(), "serial 0", true),
                Arguments.of("range starting at 0",
                        certSection(new KrlBytes().section(KrlFormat.CERT_SERIAL_RANGE, new KrlBytes().u64(0).u64(5))).bytes(),
                        "serial 0", true),
                Arguments.of("inverted range",
                        certSection(new KrlBytes().section(KrlFormat.CERT_SERIAL_RANGE, new KrlBytes().u64(9).u64(5))).bytes(),
                        "start is above its end", true),
                Arguments.of("range with trailing bytes",
                        certSection(new KrlBytes().section(KrlFormat.CERT_SERIAL_RANGE, new KrlBytes().u64(1).u64(5).u8(0))).bytes(),
                        "1 trailing bytes", true),
                Arguments.of("serial list cut mid-serial",
                        certSection(new KrlBytes().section(KrlFormat.CERT_SERIAL_LIST, new KrlBytes().u64(5).u32(1))).bytes(),
                        "truncated", true),
                Arguments.of("negative bitmap", certSection(bitmap(10, new byte[] {(byte) 0x80})).bytes(), "negative", true),
                Arguments.of("bitmap over 2048 bytes", certSection(bitmap(10, bigBitmap)).bytes(), "at most 2048", true),
                Arguments.of("bitmap revoking serial 0", certSection(bitmap(0, new byte[] {0x01})).bytes(), "serial 0", true),
                Arguments.of("bitmap wrapping past 2^64-1", certSection(bitmap(-2L, new byte[] {0x07})).bytes(),
                        "past the largest serial", true),
                Arguments.of("key ID with NUL", certSection(new KrlBytes().section(KrlFormat.CERT_KEY_ID,
                        new KrlBytes().string("a\0b".getBytes(StandardCharsets.UTF_8)))).bytes(), "NUL", true),
                Arguments.of("unknown certificate subsection", certSection(new KrlBytes().section(0x24, new KrlBytes())).bytes(),
                        "unknown subsection type 0x24", true),
                Arguments.of("bad CA key", KrlBytes.header().section(KrlFormat.SECTION_CERTIFICATES,
                        new KrlBytes().string("ssh-ed25519 junk".getBytes(StandardCharsets.US_ASCII)).string(new byte[0])).bytes(),
                        "unusable CA key", true),
                Arguments.of("certificate as CA key whose signature does not verify",
                        KrlBytes.header().section(KrlFormat.SECTION_CERTIFICATES,
                                new KrlBytes().string(forgedCert).string(new byte[0])).bytes(), "unusable CA key", true),
                Arguments.of("SHA256 hash of 31 bytes", KrlBytes.header().section(KrlFormat.SECTION_FINGERPRINT_SHA256,
                        new KrlBytes().string(new byte[31])).bytes(), "expected 32", true),
                Arguments.of("critical extension", KrlBytes.header().section(KrlFormat.SECTION_EXTENSION,
                        new KrlBytes().string("x@example.com".getBytes(StandardCharsets.US_ASCII)).u8(1).string(new byte[0])).bytes(),
                        "critical extension", true),
                // Stricter than OpenSSH, as PROTOCOL.krl section 4 demands: ssh-keygen itself never writes these.
                Arguments.of("unsorted SHA256 section", KrlBytes.header().section(KrlFormat.SECTION_FINGERPRINT_SHA256,
                        new KrlBytes().string(sha256a).string(sha256b)).bytes(), "not in ascending order", false),
                Arguments.of("largest readable bitmap is fine, one more byte is not",
                        certSection(bitmap(10, withTrailing(maxBitmap, (byte) 0))).bytes(), "at most 2048", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badKrls")
    void refusesBadKrl(String name, byte[] krl, String messageFragment, boolean opensshRefuses) throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Krl.parse(krl));
        assertTrue(e.getMessage().contains(messageFragment), "message: " + e.getMessage());
        assertTrue(e.getMessage().length() < 300 && !e.getMessage().contains("\n"), "one clear line");
        Path f = dir.resolve("bad.krl");
        Files.write(f, krl);
        int rc = OpenSshTool.tryLoad(f).exitCode();
        if (opensshRefuses) {
            assertNotEquals(0, rc, "ssh-keygen refuses it too");
        } else {
            assertEquals(0, rc, "ssh-keygen accepts it; we are deliberately stricter");
        }
    }

    @Test
    void largestBitmapOpenSshReadsIsAccepted() throws Exception {
        byte[] mpint = new byte[KrlFormat.MAX_BITMAP_BYTES + 1]; // sign byte, then 2048 bytes: bit 16383 set
        mpint[1] = (byte) 0x80;
        mpint[mpint.length - 1] = 0x01;
        byte[] krl = certSection(bitmap(10, mpint)).bytes();
        Krl parsed = Krl.parse(krl);
        SerialRanges r = parsed.toSpec().certificates().get(0).serials();
        assertEquals("[10, 16393]", r.toString());
        Path f = dir.resolve("max.krl");
        Files.write(f, krl);
        assertEquals(0, OpenSshTool.tryLoad(f).exitCode());
    }

    @Test
    void everyTruncationIsRefusedExceptAtSectionBoundaries() {
        Set<Integer> boundaries = sectionBoundaries(valid);
        for (int len = 0; len < valid.length; len++) {
            byte[] prefix = Arrays.copyOf(valid, len);
            if (boundaries.contains(len)) {
                Krl.parse(prefix); // a KRL with fewer sections is still a valid KRL
            } else {
                int l = len;
                assertThrows(InvalidInputException.class, () -> Krl.parse(prefix), () -> "prefix of " + l + " bytes");
            }
        }
    }

    private static Set<Integer> sectionBoundaries(byte[] krl) {
        Set<Integer> out = new HashSet<>();
        int pos = 8 + 4 + 8 + 8 + 8;
        pos += 4 + readU32(krl, pos); // reserved
        pos += 4 + readU32(krl, pos); // comment
        out.add(pos);
        while (pos < krl.length) {
            pos += 1;
            pos += 4 + readU32(krl, pos);
            out.add(pos);
        }
        return out;
    }

    private static int readU32(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    @Test
    void randomCorruptionNeverEscapesAsAnythingButInvalidInput() {
        Random rnd = new Random(1);
        for (int i = 0; i < 5000; i++) {
            byte[] bad = valid.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int f = 0; f < flips; f++) {
                bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
            }
            try {
                Krl.parse(bad);
            } catch (InvalidInputException expected) {
                // fine: refused with a message
            } catch (RuntimeException other) {
                fail("corrupt KRL #" + i + " escaped as " + other, other);
            }
        }
    }

    @Test
    void nonCriticalExtensionsAreRecordedButNotInstalled() {
        byte[] ext = KrlBytes.header()
                .section(KrlFormat.SECTION_EXTENSION, new KrlBytes().string("bloom@example.com".getBytes(StandardCharsets.US_ASCII))
                        .u8(0).string(new byte[] {1, 2, 3}))
                .bytes();
        Krl krl = Krl.parse(ext);
        assertEquals("bloom@example.com", krl.extensions().get(0).name());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Krl.parseForInstall(ext));
        assertTrue(e.getMessage().contains("before 9.4"), e.getMessage());
    }
}
