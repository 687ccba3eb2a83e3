package dev.keyward.ca.krl;

import dev.keyward.ca.wire.SshWriter;

/** Hand-assembles KRL bytes for tests of what the writer never produces (signatures, corrupt input). */
final class KrlBytes {
    private final SshWriter w = new SshWriter();

    /** A valid header: magic, format version 1, krl_version, generated_date, flags 0, reserved, comment. */
    static KrlBytes header() {
        KrlBytes b = new KrlBytes();
        b.raw(KrlFormat.MAGIC).u32(1).u64(1).u64(1_700_000_000L).u64(0).string(new byte[0]).string(new byte[0]);
        return b;
    }

    KrlBytes raw(byte[] b) {
        w.bytes(b);
        return this;
    }

    KrlBytes u8(int v) {
        w.bytes(new byte[] {(byte) v});
        return this;
    }

    KrlBytes u32(long v) {
        w.uint32(v);
        return this;
    }

    KrlBytes u64(long v) {
        w.uint64(v);
        return this;
    }

    KrlBytes string(byte[] b) {
        w.string(b);
        return this;
    }

    /** A section or subsection: type byte and contents as a string. */
    KrlBytes section(int type, KrlBytes contents) {
        return u8(type).string(contents.bytes());
    }

    byte[] bytes() {
        return w.toByteArray();
    }
}
