package dev.keyward.ca.krl;

/**
 * One KRL serial bitmap (PROTOCOL.krl 2.3): bit N revokes serial {@code offset + N}. At most
 * {@link KrlFormat#MAX_BITMAP_BITS} bits, the most OpenSSH will read.
 */
final class SerialBitmap {
    final long offset;
    final int nbits;
    private final long[] words;

    private SerialBitmap(long offset, int nbits, long[] words) {
        this.offset = offset;
        this.nbits = nbits;
        this.words = words;
    }

    /** From the mpint's big-endian magnitude (leading zero bytes allowed, as OpenSSH trims them). */
    static SerialBitmap fromMagnitude(long offset, byte[] magnitude) {
        int start = 0;
        while (start < magnitude.length && magnitude[start] == 0) {
            start++;
        }
        int nbytes = magnitude.length - start;
        long[] words = new long[(nbytes + 7) / 8];
        for (int b = 0; b < nbytes; b++) {
            int v = magnitude[magnitude.length - 1 - b] & 0xFF;
            words[b >>> 3] |= (long) v << ((b & 7) * 8);
        }
        int nbits = nbytes == 0 ? 0 : (nbytes - 1) * 8 + (32 - Integer.numberOfLeadingZeros(magnitude[start] & 0xFF));
        return new SerialBitmap(offset, nbits, words);
    }

    boolean contains(long serial) {
        long d = serial - offset;
        if (Long.compareUnsigned(d, nbits) >= 0) {
            return false;
        }
        int bit = (int) d;
        return (words[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    boolean testBit(int bit) {
        return (words[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    /** Number of set bits. */
    int cardinality() {
        int c = 0;
        for (long w : words) {
            c += Long.bitCount(w);
        }
        return c;
    }
}
