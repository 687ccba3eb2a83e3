package dev.keyward.ca.wire;

import dev.keyward.ca.InvalidInputException;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads values in the SSH wire encoding of RFC 4251 section 5. Every read is bounds-checked: a truncated
 * or oversized field raises {@link InvalidInputException} naming {@code what} was being read, never an
 * ArrayIndexOutOfBoundsException.
 */
public final class SshReader {
    private final byte[] data;
    private final int end;
    private int pos;
    private final String what;

    public SshReader(byte[] data, String what) {
        this(data, 0, data.length, what);
    }

    public SshReader(byte[] data, int offset, int length, String what) {
        this.data = data;
        this.pos = offset;
        this.end = offset + length;
        this.what = what;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    private void need(int n, String field) {
        if (n < 0 || n > end - pos) {
            throw new InvalidInputException(what + " is truncated (reading " + field + ")");
        }
    }

    public int byte8(String field) {
        need(1, field);
        return data[pos++] & 0xFF;
    }

    public long uint32(String field) {
        need(4, field);
        long v = ((data[pos] & 0xFFL) << 24) | ((data[pos + 1] & 0xFFL) << 16)
                | ((data[pos + 2] & 0xFFL) << 8) | (data[pos + 3] & 0xFFL);
        pos += 4;
        return v;
    }

    /** An unsigned 64-bit value, returned in a long (compare with Long.compareUnsigned). */
    public long uint64(String field) {
        need(8, field);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (data[pos + i] & 0xFFL);
        }
        pos += 8;
        return v;
    }

    public byte[] raw(int n, String field) {
        need(n, field);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    public byte[] string(String field) {
        long len = uint32(field + " length");
        if (len > end - pos) {
            throw new InvalidInputException(what + " is truncated (" + field + " claims " + len
                    + " bytes, " + (end - pos) + " left)");
        }
        return raw((int) len, field);
    }

    /** A sub-reader over the next string's contents, without copying. */
    public SshReader stringReader(String field) {
        long len = uint32(field + " length");
        if (len > end - pos) {
            throw new InvalidInputException(what + " is truncated (" + field + " claims " + len
                    + " bytes, " + (end - pos) + " left)");
        }
        SshReader sub = new SshReader(data, pos, (int) len, what + " " + field);
        pos += (int) len;
        return sub;
    }

    /** A string that must be valid UTF-8 (names, key IDs, principals). */
    public String utf8(String field) {
        byte[] raw = string(field);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(what + ": " + field + " is not valid UTF-8");
        }
    }

    public BigInteger mpint(String field) {
        byte[] raw = string(field);
        if (raw.length == 0) {
            return BigInteger.ZERO;
        }
        return new BigInteger(raw);
    }

    /** A non-negative mpint (RSA e and n, ECDSA r and s); rejects negatives and non-minimal encodings. */
    public BigInteger positiveMpint(String field) {
        byte[] raw = string(field);
        if (raw.length == 0) {
            return BigInteger.ZERO;
        }
        if ((raw[0] & 0x80) != 0) {
            throw new InvalidInputException(what + ": " + field + " is negative");
        }
        if (raw.length > 1 && raw[0] == 0 && (raw[1] & 0x80) == 0) {
            throw new InvalidInputException(what + ": " + field + " has a non-minimal encoding");
        }
        return new BigInteger(1, raw);
    }

    public void expectEnd() {
        if (pos != end) {
            throw new InvalidInputException(what + " has " + (end - pos) + " trailing bytes");
        }
    }
}
