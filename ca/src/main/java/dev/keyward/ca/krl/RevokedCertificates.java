package dev.keyward.ca.krl;

import dev.keyward.ca.key.SshPublicKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The lookup structure for one CA (or "any CA") of a parsed KRL, merged over every certificates section that
 * names that CA (as krl.c's {@code revoked_certs_for_ca_key} merges them). Serial lists are a sorted
 * {@code long[]}, ranges a {@link SerialRanges}, bitmaps kept as bitmaps sorted by offset; all searched by
 * binary search. Key IDs are compared as bytes (krl.c uses strcmp).
 */
final class RevokedCertificates {
    final SshPublicKey caKey; // null: any CA
    private final long[] listed; // sorted unsigned
    private final SerialRanges ranges;
    private final SerialBitmap[] bitmaps; // sorted by offset, unsigned
    private final byte[][] keyIds; // sorted unsigned

    private RevokedCertificates(SshPublicKey caKey, long[] listed, SerialRanges ranges, SerialBitmap[] bitmaps,
            byte[][] keyIds) {
        this.caKey = caKey;
        this.listed = listed;
        this.ranges = ranges;
        this.bitmaps = bitmaps;
        this.keyIds = keyIds;
    }

    /** krl.c {@code is_cert_revoked}: key ID first, then (for a non-zero serial) the serial. */
    boolean isRevoked(long serial, byte[] keyId) {
        if (keyId != null && Arrays.binarySearch(keyIds, keyId, KrlSpec.UNSIGNED) >= 0) {
            return true;
        }
        if (serial == 0) {
            return false; // "Zero serials numbers are ignored" (krl.c): 0 means the CA set no serial
        }
        return isListed(serial) || ranges.contains(serial) || inBitmap(serial);
    }

    private boolean isListed(long serial) {
        long key = serial ^ Long.MIN_VALUE;
        int low = 0;
        int high = listed.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long v = listed[mid] ^ Long.MIN_VALUE;
            if (v < key) {
                low = mid + 1;
            } else if (v > key) {
                high = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    private boolean inBitmap(long serial) {
        // Last bitmap with offset <= serial, then walk back over bitmaps that could still reach the serial.
        int low = 0;
        int high = bitmaps.length - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (Long.compareUnsigned(bitmaps[mid].offset, serial) <= 0) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        for (int i = found; i >= 0; i--) {
            SerialBitmap b = bitmaps[i];
            if (Long.compareUnsigned(serial - b.offset, KrlFormat.MAX_BITMAP_BITS) >= 0) {
                break;
            }
            if (b.contains(serial)) {
                return true;
            }
        }
        return false;
    }

    /** The serials and key IDs as a spec entry (for listing and round trips). */
    CaRevocations toRevocations() {
        LongList lo = new LongList();
        LongList hi = new LongList();
        for (long s : listed) {
            lo.add(s);
            hi.add(s);
        }
        for (int i = 0; i < ranges.rangeCount(); i++) {
            lo.add(ranges.lo(i));
            hi.add(ranges.hi(i));
        }
        for (SerialBitmap b : bitmaps) {
            int bit = 0;
            while (bit < b.nbits) {
                if (!b.testBit(bit)) {
                    bit++;
                    continue;
                }
                int end = bit;
                while (end + 1 < b.nbits && b.testBit(end + 1)) {
                    end++;
                }
                lo.add(b.offset + bit);
                hi.add(b.offset + end);
                bit = end + 1;
            }
        }
        List<String> ids = new ArrayList<>(keyIds.length);
        for (byte[] id : keyIds) {
            ids.add(new String(id, StandardCharsets.UTF_8));
        }
        return new CaRevocations(caKey, SerialRanges.union(lo.array(), hi.array(), lo.size()), ids);
    }

    /** Collects one CA's entries while parsing. */
    static final class Accumulator {
        final SshPublicKey caKey;
        private final LongList listed = new LongList();
        private final LongList rangeLo = new LongList();
        private final LongList rangeHi = new LongList();
        private final List<SerialBitmap> bitmaps = new ArrayList<>();
        private final List<byte[]> keyIds = new ArrayList<>();

        Accumulator(SshPublicKey caKey) {
            this.caKey = caKey;
        }

        void serial(long s) {
            listed.add(s);
        }

        void range(long lo, long hi) {
            rangeLo.add(lo);
            rangeHi.add(hi);
        }

        void bitmap(SerialBitmap b) {
            bitmaps.add(b);
        }

        void keyId(byte[] id) {
            keyIds.add(id);
        }

        RevokedCertificates freeze() {
            long[] l = new long[listed.size()];
            for (int i = 0; i < l.length; i++) {
                l[i] = listed.get(i) ^ Long.MIN_VALUE;
            }
            Arrays.sort(l);
            for (int i = 0; i < l.length; i++) {
                l[i] ^= Long.MIN_VALUE;
            }
            SerialRanges r = SerialRanges.union(rangeLo.array(), rangeHi.array(), rangeLo.size());
            SerialBitmap[] b = bitmaps.toArray(new SerialBitmap[0]);
            Arrays.sort(b, Comparator.comparing((SerialBitmap x) -> x.offset, Long::compareUnsigned));
            byte[][] ids = KrlSpec.sortedUnique(keyIds).toArray(new byte[0][]);
            return new RevokedCertificates(caKey, l, r, b, ids);
        }
    }
}
