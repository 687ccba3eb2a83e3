package dev.keyward.ca.krl;

import static dev.keyward.ca.krl.KrlFormat.CERT_SERIAL_BITMAP;
import static dev.keyward.ca.krl.KrlFormat.CERT_SERIAL_LIST;
import static dev.keyward.ca.krl.KrlFormat.CERT_SERIAL_RANGE;
import static dev.keyward.ca.krl.KrlFormat.MAX_BITMAP_BITS;

import java.util.Arrays;

/**
 * Encodes a CA's revoked serials as KRL certificate subsections (PROTOCOL.krl sections 2.1 to 2.3), choosing
 * per run of consecutive serials between a serial list, a range and a bitmap with the bit-cost model of
 * OpenSSH's {@code krl.c} ({@code choose_next_state} / {@code revoked_certs_generate}), so the output is the
 * same size as {@code ssh-keygen -k}'s for the same serials (byte-identical, in fact).
 *
 * <p>One deliberate difference: a bitmap section never spans more than {@link KrlFormat#MAX_BITMAP_BITS}
 * serials, because OpenSSH refuses to load larger bitmaps. Where ssh-keygen would grow a bitmap past that
 * (producing a KRL nobody can load), this encoder starts a new section, choosing again by cost.
 */
final class SerialSectionEncoder {
    private static final long CAP = 1L << 31; // krl.c clamps to avoid overflow; keeps costs comparable

    private final ByteSink out;
    private final long[] bitmapWords = new long[MAX_BITMAP_BITS / 64];
    private int bitmapTopBit = -1;
    private int state; // 0 = no section open
    private int sectionAt;
    private long bitmapStart;

    private SerialSectionEncoder(ByteSink out) {
        this.out = out;
    }

    /** Writes the serial subsections for {@code ranges} (already sorted and merged) to {@code out}. */
    static void encode(SerialRanges ranges, ByteSink out) {
        new SerialSectionEncoder(out).run(ranges);
    }

    private void run(SerialRanges ranges) {
        int n = ranges.rangeCount();
        long last = 0;
        for (int i = 0; i < n; i++) {
            long lo = ranges.lo(i);
            long hi = ranges.hi(i);
            boolean fin = i == n - 1;
            long gap = fin ? 0 : ranges.lo(i + 1) - hi;
            long contig = hi - lo + 1; // unsigned; 0 only for the impossible full range, clamped below
            long lastGap = state == 0 ? 0 : lo - last;

            boolean fitsNewBitmap = Long.compareUnsigned(contig - 1, MAX_BITMAP_BITS) < 0;
            boolean fitsOpenBitmap = state == CERT_SERIAL_BITMAP
                    && Long.compareUnsigned(hi - bitmapStart, MAX_BITMAP_BITS) < 0;
            int choice = choose(state, clamp(contig), fin, clamp(lastGap), clamp(gap), fitsNewBitmap,
                    fitsOpenBitmap);
            int nextState = choice & 0xFF;
            boolean forceNew = (choice & FORCE_NEW) != 0;

            // krl.c: a range section holds one range; any change of type (or a forced restart) closes the section.
            if (state != 0 && (forceNew || nextState != state || state == CERT_SERIAL_RANGE)) {
                finishSection();
            }
            if (state == 0) {
                startSection(nextState, lo);
            }
            switch (state) {
                case CERT_SERIAL_LIST -> {
                    for (long s = lo; ; s++) {
                        out.u64(s);
                        if (s == hi) {
                            break;
                        }
                    }
                }
                case CERT_SERIAL_RANGE -> {
                    out.u64(lo);
                    out.u64(hi);
                }
                case CERT_SERIAL_BITMAP -> setBits((int) (lo - bitmapStart), (int) (hi - bitmapStart));
                default -> throw new IllegalStateException("state " + state);
            }
            last = hi;
        }
        if (state != 0) {
            finishSection();
        }
    }

    private static long clamp(long unsigned) {
        return Long.compareUnsigned(unsigned, CAP) > 0 ? CAP : unsigned;
    }

    /** Flag in {@link #choose}'s result: start a new bitmap section even though one is open. */
    private static final int FORCE_NEW = 0x100;

    /**
     * krl.c {@code choose_next_state}: estimated cost in bits of continuing or switching to each section type,
     * rounded up to bytes, ties resolved in krl.c's order (bitmap, range, list, new bitmap). Options that would
     * make a bitmap too large for OpenSSH to read are excluded. Returns the section type, or'ed with
     * {@link #FORCE_NEW} for krl.c's {@code force_new_section} (an int, not an object: this runs once per run of
     * serials, a million times for large KRLs).
     */
    private static int choose(int current, long contig, boolean fin, long lastGap, long nextGap,
            boolean fitsNewBitmap, boolean fitsOpenBitmap) {
        long costList = 0;
        long costBitmap = 0;
        long costBitmapRestart = 0;
        long costRange = 8;
        switch (current) {
            case CERT_SERIAL_LIST -> {
                costBitmapRestart = 8 + 64;
                costBitmap = 8 + 64;
            }
            case CERT_SERIAL_BITMAP -> {
                costList = 8;
                costBitmapRestart = 8 + 64;
            }
            default -> { // range section or nothing open yet
                costBitmapRestart = 8 + 64;
                costBitmap = 8 + 64;
                costList = 8;
            }
        }
        long tail = fin ? 0 : Math.min(nextGap, 8 + 64);
        costList += 64 * contig + (fin ? 0 : 8 + 64);
        costRange += 2 * 64 + (fin ? 0 : 8 + 64);
        costBitmap += lastGap + contig + tail;
        costBitmapRestart += contig + tail;

        costList = (costList + 7) / 8;
        costBitmap = (costBitmap + 7) / 8;
        costBitmapRestart = (costBitmapRestart + 7) / 8;
        costRange = (costRange + 7) / 8;

        // "bitmap" continues an open bitmap, or (from another state) starts one at this run.
        boolean bitmapFeasible = current == CERT_SERIAL_BITMAP ? fitsOpenBitmap : fitsNewBitmap;
        if (!bitmapFeasible) {
            costBitmap = Long.MAX_VALUE;
        }
        if (!fitsNewBitmap) {
            costBitmapRestart = Long.MAX_VALUE;
        }

        int chosen = CERT_SERIAL_BITMAP;
        boolean force = false;
        long cost = costBitmap;
        if (costRange < cost) {
            chosen = CERT_SERIAL_RANGE;
            cost = costRange;
        }
        if (costList < cost) {
            chosen = CERT_SERIAL_LIST;
            cost = costList;
        }
        if (costBitmapRestart < cost) {
            chosen = CERT_SERIAL_BITMAP;
            force = true;
        }
        return chosen | (force ? FORCE_NEW : 0);
    }

    private void startSection(int type, long lo) {
        state = type;
        out.u8(type);
        sectionAt = out.beginString();
        if (type == CERT_SERIAL_BITMAP) {
            bitmapStart = lo;
            out.u64(lo); // serial_offset
        }
    }

    private void finishSection() {
        if (state == CERT_SERIAL_BITMAP) {
            writeBitmapMpint();
        }
        out.endString(sectionAt);
        state = 0;
    }

    private void setBits(int from, int to) {
        for (int bit = from; bit <= to; bit++) {
            bitmapWords[bit >>> 6] |= 1L << (bit & 63);
        }
        bitmapTopBit = Math.max(bitmapTopBit, to);
    }

    /**
     * PROTOCOL.krl 2.3: bit N of the mpint revokes serial_offset + N. An mpint is big-endian, minimal, with a
     * leading zero byte when the top bit is set (what krl.c's {@code sshbuf_put_bignum2_bytes} writes).
     */
    private void writeBitmapMpint() {
        if (bitmapTopBit < 0) {
            out.u32(0);
            return;
        }
        int nbytes = bitmapTopBit / 8 + 1;
        boolean pad = bitmapTopBit % 8 == 7;
        out.u32(nbytes + (pad ? 1 : 0));
        if (pad) {
            out.u8(0);
        }
        for (int b = nbytes - 1; b >= 0; b--) {
            out.u8((int) (bitmapWords[b >>> 3] >>> ((b & 7) * 8)));
        }
        Arrays.fill(bitmapWords, 0, bitmapTopBit / 64 + 1, 0L);
        bitmapTopBit = -1;
    }
}
