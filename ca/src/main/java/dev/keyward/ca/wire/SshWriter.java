package dev.keyward.ca.wire;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Appends values in the SSH wire encoding of RFC 4251 section 5. Not thread-safe. */
public final class SshWriter {
    private final ByteArrayOutputStream out;

    public SshWriter() {
        this(256);
    }

    public SshWriter(int initialCapacity) {
        this.out = new ByteArrayOutputStream(initialCapacity);
    }

    public SshWriter uint32(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("uint32 out of range: " + value);
        }
        out.write((int) (value >>> 24));
        out.write((int) (value >>> 16));
        out.write((int) (value >>> 8));
        out.write((int) value);
        return this;
    }

    /** Writes an unsigned 64-bit value; Java's long is read as unsigned. */
    public SshWriter uint64(long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift));
        }
        return this;
    }

    public SshWriter bytes(byte[] raw) {
        out.writeBytes(raw);
        return this;
    }

    public SshWriter string(byte[] value) {
        uint32(value.length);
        out.writeBytes(value);
        return this;
    }

    public SshWriter string(String value) {
        return string(value.getBytes(StandardCharsets.UTF_8));
    }

    /** An mpint: two's complement, big-endian, minimal length (BigInteger.toByteArray is exactly that). */
    public SshWriter mpint(BigInteger value) {
        if (value.signum() == 0) {
            return uint32(0);
        }
        return string(value.toByteArray());
    }

    /** An mpint from an unsigned big-endian magnitude (e.g. half of a P1363 ECDSA signature). */
    public SshWriter mpintUnsigned(byte[] magnitude, int offset, int length) {
        int start = offset;
        int end = offset + length;
        while (start < end && magnitude[start] == 0) {
            start++;
        }
        int len = end - start;
        if (len == 0) {
            return uint32(0);
        }
        boolean pad = (magnitude[start] & 0x80) != 0;
        uint32(len + (pad ? 1 : 0));
        if (pad) {
            out.write(0);
        }
        out.write(magnitude, start, len);
        return this;
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
