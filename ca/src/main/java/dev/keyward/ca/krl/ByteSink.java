package dev.keyward.ca.krl;

import java.util.Arrays;

/**
 * A growable big-endian byte buffer for the KRL writer. Unlike {@link dev.keyward.ca.wire.SshWriter} it can
 * open a string and fill in its length when the contents are done, so nested KRL sections are written in place
 * instead of being built in separate buffers and copied (a KRL of a million serials is several megabytes).
 */
final class ByteSink {
    private byte[] buf;
    private int len;

    ByteSink(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    private void ensure(int extra) {
        if (buf.length - len < extra) {
            long want = Math.max((long) buf.length * 2, (long) len + extra);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("KRL would exceed 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    void u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
    }

    void u32(long v) {
        ensure(4);
        putU32At(len, v);
        len += 4;
    }

    void u64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[len++] = (byte) (v >>> shift);
        }
    }

    void bytes(byte[] b) {
        bytes(b, 0, b.length);
    }

    void bytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    /** An SSH string: uint32 length, then the bytes. */
    void string(byte[] b) {
        u32(b.length);
        bytes(b);
    }

    /** Opens a string whose length is filled in by {@link #endString}; returns its position. */
    int beginString() {
        ensure(4);
        int at = len;
        len += 4;
        return at;
    }

    void endString(int at) {
        putU32At(at, len - at - 4);
    }

    private void putU32At(int at, long v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    int size() {
        return len;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }
}
