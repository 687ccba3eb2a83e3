package dev.keyward.ca.krl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.OpenSshTool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/** Asks ssh-keygen -Q, our {@link Krl} and an independent truth the same questions and compares the answers. */
final class KrlOracle {
    private KrlOracle() {
    }

    /**
     * For each probe serial, issues a certificate by {@code ca} for {@code subject} and checks that
     * {@code ssh-keygen -Q}, {@link Krl#isRevoked(SignedCertificate)} and {@code truth} agree. One ssh-keygen run.
     */
    static int assertSerialsAgree(Path dir, Path krlFile, KrlTestCa ca, SshPublicKey subject, long[] probes,
            String keyId, LongPredicate truth) throws Exception {
        Krl krl = Krl.parse(java.nio.file.Files.readAllBytes(krlFile));
        List<Path> files = new ArrayList<>();
        List<SignedCertificate> certs = new ArrayList<>();
        Path certDir = java.nio.file.Files.createTempDirectory(dir, "certs");
        for (int i = 0; i < probes.length; i++) {
            SignedCertificate c = ca.issue(subject, probes[i], keyId);
            certs.add(c);
            files.add(KrlTestCa.write(certDir, "c" + i, c));
        }
        Map<Path, Boolean> openssh = OpenSshTool.queryRevoked(krlFile, files);
        int revoked = 0;
        for (int i = 0; i < probes.length; i++) {
            String serial = Long.toUnsignedString(probes[i]);
            boolean expected = truth.test(probes[i]);
            assertEquals(expected, openssh.get(files.get(i)), "ssh-keygen -Q for serial " + serial);
            assertEquals(expected, krl.isRevoked(certs.get(i)), "Krl.isRevoked for serial " + serial);
            revoked += expected ? 1 : 0;
        }
        return revoked;
    }

    /** A, B and their neighbours A-1, B+1 for up to {@code maxRanges} ranges (no wrap-around), plus 0, 1, 2^63, 2^64-1. */
    static long[] boundaryProbes(long[] lo, long[] hi, int maxRanges, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        List<Long> probes = new ArrayList<>();
        int step = Math.max(1, lo.length / maxRanges);
        for (int i = 0; i < lo.length; i += step) {
            int k = step == 1 ? i : Math.min(lo.length - 1, i + rnd.nextInt(step));
            if (lo[k] != 1) {
                probes.add(lo[k] - 1);
            }
            probes.add(lo[k]);
            probes.add(hi[k]);
            if (hi[k] != -1L) {
                probes.add(hi[k] + 1);
            }
        }
        probes.add(0L); // never revoked by serial
        probes.add(1L);
        probes.add(-1L); // 2^64-1
        probes.add(Long.MIN_VALUE); // 2^63
        return probes.stream().distinct().mapToLong(Long::longValue).toArray();
    }

    /** Naive truth: is {@code s} in any of the (possibly overlapping, unsorted) ranges? */
    static LongPredicate inAny(long[] lo, long[] hi) {
        return s -> {
            for (int i = 0; i < lo.length; i++) {
                if (Long.compareUnsigned(lo[i], s) <= 0 && Long.compareUnsigned(s, hi[i]) <= 0) {
                    return true;
                }
            }
            return false;
        };
    }

    /** The ranges as ssh-keygen -k spec lines ({@code serial: N} or {@code serial: A-B}). */
    static String specLines(long[] lo, long[] hi) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lo.length; i++) {
            sb.append("serial: ").append(Long.toUnsignedString(lo[i]));
            if (lo[i] != hi[i]) {
                sb.append('-').append(Long.toUnsignedString(hi[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The serial lines ssh-keygen -Q -l prints for a merged set of ranges. */
    static List<String> listedSerialLines(SerialRanges r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.rangeCount(); i++) {
            out.add("serial: " + Long.toUnsignedString(r.lo(i))
                    + (r.lo(i) == r.hi(i) ? "" : "-" + Long.toUnsignedString(r.hi(i))));
        }
        return out;
    }

    /** Lines of {@code ssh-keygen -Q -l} output that start with {@code prefix}, in order. */
    static List<String> linesStartingWith(String listing, String prefix) {
        return listing.lines().filter(l -> l.startsWith(prefix)).toList();
    }
}
