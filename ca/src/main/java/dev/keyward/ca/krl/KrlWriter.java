package dev.keyward.ca.krl;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes a {@link KrlSpec} as a binary KRL (PROTOCOL.krl). Section order and contents follow
 * {@code ssh-keygen -k} ({@code ssh_krl_to_blob} in OpenSSH's krl.c): header, one certificates section per CA,
 * then explicit keys, SHA1 hashes and SHA256 hashes, each sorted. Serial runs are encoded as lists, ranges or
 * bitmaps by krl.c's cost model (see {@link SerialSectionEncoder}). No signature section is ever written:
 * OpenSSH 9.4 and later refuse KRLs that carry one; sign KRLs out of band if needed.
 */
public final class KrlWriter {
    private KrlWriter() {
    }

    public static byte[] write(KrlSpec spec) {
        ByteSink out = new ByteSink(estimateSize(spec));
        // PROTOCOL.krl section 1: the header.
        out.bytes(KrlFormat.MAGIC);
        out.u32(KrlFormat.FORMAT_VERSION);
        out.u64(spec.version());
        out.u64(spec.generatedDate());
        out.u64(0); // flags: none defined
        out.string(new byte[0]); // reserved
        out.string(spec.comment().getBytes(StandardCharsets.UTF_8));

        for (CaRevocations ca : spec.certificates()) {
            writeCertificates(ca, out);
        }
        writeBlobSection(KrlFormat.SECTION_EXPLICIT_KEY, spec.explicitKeysShared(), out);
        writeBlobSection(KrlFormat.SECTION_FINGERPRINT_SHA1, spec.sha1Shared(), out);
        writeBlobSection(KrlFormat.SECTION_FINGERPRINT_SHA256, spec.sha256Shared(), out);
        return out.toByteArray();
    }

    /** PROTOCOL.krl section 2: string ca_key (empty for any CA), string reserved, then the subsections. */
    private static void writeCertificates(CaRevocations ca, ByteSink out) {
        out.u8(KrlFormat.SECTION_CERTIFICATES);
        int at = out.beginString();
        out.string(ca.caKey().map(k -> k.blob()).orElse(new byte[0]));
        out.string(new byte[0]);
        SerialSectionEncoder.encode(ca.serials(), out);
        if (!ca.keyIds().isEmpty()) {
            // 2.4: one subsection holding every key ID, in strcmp order.
            out.u8(KrlFormat.CERT_KEY_ID);
            int ids = out.beginString();
            for (String id : ca.keyIds()) {
                out.string(id.getBytes(StandardCharsets.UTF_8));
            }
            out.endString(ids);
        }
        out.endString(at);
    }

    /** Sections 3 and 4: a sequence of strings; written only when non-empty ("must contain at least one"). */
    private static void writeBlobSection(int type, List<byte[]> blobs, ByteSink out) {
        if (blobs.isEmpty()) {
            return;
        }
        out.u8(type);
        int at = out.beginString();
        for (byte[] b : blobs) {
            out.string(b);
        }
        out.endString(at);
    }

    private static int estimateSize(KrlSpec spec) {
        long size = 256;
        for (CaRevocations ca : spec.certificates()) {
            size += 64L + 21L * Math.min(ca.serials().rangeCount(), 1 << 24) + 32L * ca.keyIds().size();
        }
        size += 64L * spec.explicitKeysShared().size() + 36L * (spec.sha1Shared().size() + spec.sha256Shared().size());
        return (int) Math.min(size, 1 << 28);
    }
}
