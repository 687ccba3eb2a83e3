package dev.keyward.ca.krl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.key.SshPublicKey;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A KRL of a million revoked serials is built (and read) in well under a second. */
class KrlWriterPerformanceTest {
    @Test
    void buildsAMillionSerialKrlInWellUnderASecond() {
        SshPublicKey ca = KrlTestCa.newKey();
        // 1,000,000 serials: 600,000 in 300 ranges, 400,000 scattered (shuffled, with duplicates merged away).
        Random rnd = new Random(11);
        long[] scattered = new long[400_000];
        for (int i = 0; i < scattered.length; i++) {
            scattered[i] = 10_000_000 + (long) (rnd.nextDouble() * 4e7);
        }
        long best = Long.MAX_VALUE;
        long first = 0;
        byte[] krl = null;
        KrlSpec spec = null;
        for (int round = 0; round < 4; round++) { // the first rounds warm up the JIT
            long t0 = System.nanoTime();
            KrlSpec.Builder b = KrlSpec.builder().version(round);
            KrlSpec.CaBuilder forCa = b.ca(ca);
            for (int r = 0; r < 300; r++) {
                long start = 1 + r * 10_000L;
                forCa.revokeSerialRange(start, start + 1_999);
            }
            forCa.revokeSerials(scattered);
            spec = b.build();
            krl = KrlWriter.write(spec);
            best = Math.min(best, System.nanoTime() - t0);
            first = round == 0 ? System.nanoTime() - t0 : first;
        }
        long millis = best / 1_000_000;
        System.out.println("1M-serial KRL: " + krl.length + " bytes, built in " + millis + " ms (best of 4; first, cold: "
                + first / 1_000_000 + " ms)");
        assertTrue(millis < 1000, "built in " + millis + " ms");
        assertTrue(spec.certificates().get(0).serials().serialCount() > 950_000);

        Krl parsed = null;
        long bestParse = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            parsed = Krl.parse(krl);
            bestParse = Math.min(bestParse, System.nanoTime() - t0);
        }
        System.out.println("1M-serial KRL parsed in " + bestParse / 1_000_000 + " ms (best of 3)");
        assertEquals(3, parsed.version());
        SerialRanges truth = spec.certificates().get(0).serials();
        SshPublicKey subject = KrlTestCa.newKey();
        for (int i = 0; i < 20_000; i++) {
            long s = 1 + (long) (rnd.nextDouble() * 5e7);
            assertEquals(truth.contains(s), parsed.isRevokedCertificate(ca, s, "id", subject), "serial " + s);
        }
        assertFalse(parsed.isRevokedCertificate(ca, 0, "id", subject));
    }
}
