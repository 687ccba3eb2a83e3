package dev.keyward.ca.krl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Merging and lookup of unsigned serial ranges, and the builder's validation. */
class KrlSerialRangesTest {
    private static SerialRanges of(long... pairs) {
        long[] lo = new long[pairs.length / 2];
        long[] hi = new long[pairs.length / 2];
        for (int i = 0; i < lo.length; i++) {
            lo[i] = pairs[2 * i];
            hi[i] = pairs[2 * i + 1];
        }
        return SerialRanges.union(lo, hi, lo.length);
    }

    @Test
    void mergesOverlappingAndAdjacentRanges() {
        assertEquals("[1-10, 12, 20-30]", of(5, 10, 1, 4, 12, 12, 20, 25, 22, 30, 24, 24).toString());
        assertEquals("[1-3]", of(3, 3, 1, 1, 2, 2).toString());
        assertEquals("[]", of().toString());
    }

    @Test
    void ordersUnsignedAndHandlesTheTopOfTheRange() {
        SerialRanges r = of(-1L, -1L, Long.MIN_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 1, 1);
        assertEquals("[1, 9223372036854775807-9223372036854775808, 18446744073709551615]", r.toString());
        assertTrue(r.contains(-1L));
        assertFalse(r.contains(-2L));
        assertTrue(r.contains(Long.MIN_VALUE));
        assertEquals(4, r.serialCount());
        assertEquals(Long.MAX_VALUE, of(1, -1L).serialCount(), "saturates");
    }

    @Test
    void containsAgreesWithANaiveSetOnRandomInput() {
        Random rnd = new Random(5);
        long[] lo = new long[400];
        long[] hi = new long[400];
        TreeSet<Long> naive = new TreeSet<>();
        for (int i = 0; i < lo.length; i++) {
            lo[i] = 1 + rnd.nextInt(5000);
            hi[i] = lo[i] + rnd.nextInt(rnd.nextBoolean() ? 1 : 20);
            for (long s = lo[i]; s <= hi[i]; s++) {
                naive.add(s);
            }
        }
        SerialRanges r = SerialRanges.union(lo, hi, lo.length);
        for (long s = 0; s < 5100; s++) {
            assertEquals(naive.contains(s), r.contains(s), "serial " + s);
        }
        assertEquals(naive.size(), r.serialCount());
        for (int i = 1; i < r.rangeCount(); i++) {
            assertTrue(r.lo(i) > r.hi(i - 1) + 1, "disjoint and not adjacent");
        }
    }

    @Test
    void builderRefusesSerialZeroInvertedRangesAndNul() {
        KrlSpec.CaBuilder ca = KrlSpec.builder().ca(KrlTestCa.newKey());
        assertTrue(assertThrows(InvalidInputException.class, () -> ca.revokeSerial(0)).getMessage().contains("key ID"));
        assertThrows(InvalidInputException.class, () -> ca.revokeSerials(new long[] {4, 0}));
        assertThrows(InvalidInputException.class, () -> ca.revokeSerialRange(0, 5));
        assertTrue(assertThrows(InvalidInputException.class, () -> ca.revokeSerialRange(9, 5)).getMessage()
                .contains("9-5"));
        assertThrows(InvalidInputException.class, () -> ca.revokeKeyId("a\0b"));
        assertThrows(InvalidInputException.class, () -> KrlSpec.builder().comment("x\0"));
        assertThrows(InvalidInputException.class, () -> KrlSpec.builder().revokeFingerprint("MD5:aa"));
        assertThrows(InvalidInputException.class, () -> KrlSpec.builder().revokeSha256(new byte[20]));
    }

    @Test
    void builderMergesRepeatedCasAndSortsKeyIdsByBytes() {
        var key = KrlTestCa.newKey();
        KrlSpec.Builder b = KrlSpec.builder().generatedDate(1);
        b.ca(key).revokeKeyId("b").revokeKeyId("é").revokeSerial(2);
        b.ca(key.withComment("same key, other comment")).revokeKeyId("B").revokeKeyId("b").revokeSerial(3);
        KrlSpec spec = b.build();
        assertEquals(1, spec.certificates().size());
        assertEquals(java.util.List.of("B", "b", "é"), spec.certificates().get(0).keyIds());
        assertEquals("[2-3]", spec.certificates().get(0).serials().toString());
        assertEquals(spec, Krl.of(spec).toSpec());
    }

    @Test
    void emptyKrlIsValidAndRevokesNothing() {
        Krl empty = Krl.empty(0);
        assertEquals(0, empty.version());
        assertEquals(Krl.parseForInstall(empty.encoded()).version(), 0);
        assertFalse(empty.isRevoked(KrlTestCa.newKey()));
        assertTrue(Math.abs(empty.generatedDate() - System.currentTimeMillis() / 1000) < 60);
    }
}
