package dev.keyward.agent.usage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Strings of a log's recurring fields (accounts, key fingerprints, key IDs, CA keys), looked up by their bytes
 * so that a line naming a key seen before costs no allocation: direct-mapped, the newest entry wins a slot. The
 * tables are made on first use (an idle agent parses nothing). Not thread-safe (one per parser).
 */
final class StringCache {
    private static final int SLOTS = 8192; // a power of two
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[][] keys;
    private String[] values;

    /** Bytes {@code [s, e)} of {@code b} as an ISO-8859-1 String, the same instance as last time when cached. */
    String get(byte[] b, int s, int e) {
        int n = e - s;
        if (n <= 0) {
            return "";
        }
        if (keys == null) {
            keys = new byte[SLOTS][];
            values = new String[SLOTS];
        }
        long h = n;
        if (n >= 8) {
            // the first and last eight bytes: base64 fingerprints end randomly, names often differ at the end
            h = h * 0x9E3779B97F4A7C15L ^ (long) LONGS.get(b, s);
            h = h * 0x9E3779B97F4A7C15L ^ (long) LONGS.get(b, e - 8);
        } else {
            for (int i = s; i < e; i++) {
                h = h * 0x9E3779B97F4A7C15L ^ (b[i] & 0xff);
            }
        }
        h *= 0x9E3779B97F4A7C15L;
        int slot = (int) (h >>> 51) & (SLOTS - 1);
        byte[] k = keys[slot];
        if (k != null && k.length == n && Arrays.equals(k, 0, n, b, s, e)) {
            return values[slot];
        }
        String v = new String(b, s, n, StandardCharsets.ISO_8859_1);
        keys[slot] = Arrays.copyOfRange(b, s, e);
        values[slot] = v;
        return v;
    }
}
