package dev.keyward.ca.krl;

import static dev.keyward.ca.krl.KrlFormat.sectionName;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.KeyType;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.wire.SshReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a binary KRL (PROTOCOL.krl) into a {@link Krl}. It refuses everything OpenSSH's krl.c
 * ({@code ssh_krl_from_blob}) refuses, because sshd refuses every public-key login when its RevokedKeys file
 * does not load, plus what PROTOCOL.krl forbids that krl.c lets through (unsorted fingerprint sections). A
 * certificates section whose CA key krl.c loads but no certificate can name ({@link #loadsButNeverSigns}) is read
 * and checked, and matches nothing, as in sshd.
 */
final class KrlParser {
    /** OpenSSH's sshkey_from_blob refuses RSA keys under 1024 bits; anything it loads as a CA key, we load. */
    private static final PublicKeyParser CA_KEYS = new PublicKeyParser(new KeyPolicy(1024));

    private final byte[] data;
    private final Map<SshPublicKey, RevokedCertificates.Accumulator> cas = new HashMap<>();
    private RevokedCertificates.Accumulator anyCa;
    private final List<RevokedCertificates.Accumulator> caOrder = new ArrayList<>(); // first appearance
    private final List<byte[]> explicitKeys = new ArrayList<>();
    private final List<byte[]> sha1 = new ArrayList<>();
    private final List<byte[]> sha256 = new ArrayList<>();
    private final List<KrlSignature> signatures = new ArrayList<>();
    private final List<KrlExtension> extensions = new ArrayList<>();

    private KrlParser(byte[] data) {
        this.data = data;
    }

    static Krl parse(byte[] data) {
        return new KrlParser(data).run();
    }

    private Krl run() {
        if (data.length < KrlFormat.MAGIC.length
                || !Arrays.equals(data, 0, KrlFormat.MAGIC.length, KrlFormat.MAGIC, 0, KrlFormat.MAGIC.length)) {
            throw new InvalidInputException("not a KRL: it does not start with the KRL magic \"SSHKRL\\n\\0\"");
        }
        SshReader r = new SshReader(data, "KRL");
        r.raw(KrlFormat.MAGIC.length, "magic");
        // PROTOCOL.krl section 1: the header.
        long format = r.uint32("format version");
        if (format != KrlFormat.FORMAT_VERSION) {
            throw new InvalidInputException("unsupported KRL format version " + format + " (only version "
                    + KrlFormat.FORMAT_VERSION + " exists)");
        }
        long version = r.uint64("KRL version");
        long generated = r.uint64("generated date");
        long flags = r.uint64("flags");
        r.string("reserved");
        String comment = cstring(r.string("comment"), "comment");

        boolean signatureSeen = false;
        while (r.hasRemaining()) {
            int type = r.byte8("section type");
            if (signatureSeen && type != KrlFormat.SECTION_SIGNATURE) {
                throw new InvalidInputException("KRL has a " + sectionName(type) + " after a signature section;"
                        + " signatures must come last (PROTOCOL.krl section 6)");
            }
            switch (type) {
                case KrlFormat.SECTION_CERTIFICATES -> certificates(r.stringReader(sectionName(type)));
                case KrlFormat.SECTION_EXPLICIT_KEY -> blobs(r.stringReader(sectionName(type)), 0, explicitKeys, type);
                case KrlFormat.SECTION_FINGERPRINT_SHA1 ->
                        blobs(r.stringReader(sectionName(type)), KrlFormat.SHA1_LENGTH, sha1, type);
                case KrlFormat.SECTION_FINGERPRINT_SHA256 ->
                        blobs(r.stringReader(sectionName(type)), KrlFormat.SHA256_LENGTH, sha256, type);
                case KrlFormat.SECTION_EXTENSION -> extension(r.stringReader(sectionName(type)), false);
                case KrlFormat.SECTION_SIGNATURE -> {
                    // Section 6: two strings, the signing key and the signature. Recorded, not verified.
                    signatureSeen = true;
                    byte[] key = r.string("signature key");
                    byte[] sig = r.string("signature");
                    signatures.add(new KrlSignature(key, sig));
                }
                default -> throw new InvalidInputException("KRL has an unknown section type " + type
                        + " (PROTOCOL.krl defines 1 to 5 and 255); it is corrupt or from a newer format");
            }
        }

        List<RevokedCertificates> order = new ArrayList<>();
        Map<SshPublicKey, RevokedCertificates> byCa = new HashMap<>();
        RevokedCertificates any = null;
        for (RevokedCertificates.Accumulator a : caOrder) {
            RevokedCertificates rc = a.freeze();
            order.add(rc);
            if (a.caKey == null) {
                any = rc;
            } else {
                byCa.put(a.caKey, rc);
            }
        }
        return new Krl(data.clone(), version, generated, flags, comment, order, byCa, any,
                KrlSpec.sortedUnique(explicitKeys), KrlSpec.sortedUnique(sha1), KrlSpec.sortedUnique(sha256),
                signatures, extensions);
    }

    /** PROTOCOL.krl section 2: string ca_key, string reserved, then typed subsections. */
    private void certificates(SshReader s) {
        byte[] caBlob = s.string("CA key");
        s.string("reserved");
        RevokedCertificates.Accumulator acc = accumulatorFor(caBlob);
        while (s.hasRemaining()) {
            int type = s.byte8("certificate subsection type");
            SshReader sub = s.stringReader(sectionName(type));
            switch (type) {
                case KrlFormat.CERT_SERIAL_LIST -> {
                    while (sub.hasRemaining()) {
                        long serial = sub.uint64("serial");
                        if (serial == 0) {
                            throw serialZero("serial list");
                        }
                        acc.serial(serial);
                    }
                }
                case KrlFormat.CERT_SERIAL_RANGE -> {
                    long lo = sub.uint64("serial_min");
                    long hi = sub.uint64("serial_max");
                    if (lo == 0) {
                        throw serialZero("serial range");
                    }
                    if (Long.compareUnsigned(lo, hi) > 0) {
                        throw new InvalidInputException("KRL has a serial range " + Long.toUnsignedString(lo) + "-"
                                + Long.toUnsignedString(hi) + " whose start is above its end; OpenSSH rejects it");
                    }
                    acc.range(lo, hi);
                }
                case KrlFormat.CERT_SERIAL_BITMAP -> acc.bitmap(bitmap(sub));
                case KrlFormat.CERT_KEY_ID -> {
                    while (sub.hasRemaining()) {
                        byte[] id = sub.string("key ID");
                        for (byte b : id) {
                            if (b == 0) {
                                throw new InvalidInputException("KRL revokes a key ID containing a NUL byte;"
                                        + " OpenSSH rejects it");
                            }
                        }
                        acc.keyId(id);
                    }
                }
                case KrlFormat.CERT_EXTENSION -> extension(sub, true);
                default -> throw new InvalidInputException(String.format(
                        "KRL certificates section has an unknown subsection type 0x%02x", type));
            }
            sub.expectEnd();
        }
    }

    private RevokedCertificates.Accumulator accumulatorFor(byte[] caBlob) {
        if (caBlob.length == 0) {
            if (anyCa == null) {
                anyCa = new RevokedCertificates.Accumulator(null);
                caOrder.add(anyCa);
            }
            return anyCa;
        }
        SshPublicKey ca;
        try {
            ca = CA_KEYS.parseBlob(caBlob);
        } catch (InvalidInputException e) {
            if (loadsButNeverSigns(caBlob)) {
                // sshd loads this KRL; the section is read and checked like any other, then matches nothing
                return new RevokedCertificates.Accumulator(null);
            }
            throw new InvalidInputException("KRL certificates section names an unusable CA key: " + e.getMessage(), e);
        }
        return cas.computeIfAbsent(ca, k -> {
            RevokedCertificates.Accumulator a = new RevokedCertificates.Accumulator(k);
            caOrder.add(a);
            return a;
        });
    }

    /**
     * A CA key blob that krl.c loads ({@code sshkey_from_blob}, which checks an Ed25519 key's length only and takes
     * certificates) but that no certificate can name as its CA: an Ed25519 key that is not a point on the curve (no
     * signature verifies under it) or a certificate (a certificate's CA key is a plain key; sshd's
     * {@code sshkey_equal} then never matches). Other keys Keyward does not read, such as DSA (gone from OpenSSH 10),
     * still make the KRL refused.
     */
    static boolean loadsButNeverSigns(byte[] blob) {
        try {
            SshReader r = new SshReader(blob, "CA key");
            String type = new String(r.string("key type"), StandardCharsets.US_ASCII);
            if (KeyType.fromCertName(type).isPresent()) {
                CertificateCodec.decode(blob); // cert_parse: well-formed, and its own signature verifies
                return true;
            }
            if (type.equals(KeyType.ED25519.sshName()) || type.equals(KeyType.SK_ED25519.sshName())) {
                if (r.string("Ed25519 key").length != 32) {
                    return false;
                }
                if (type.equals(KeyType.SK_ED25519.sshName())) {
                    cstring(r.string("application"), "security key application");
                }
                r.expectEnd();
                return true;
            }
            return false;
        } catch (InvalidInputException e) {
            return false;
        }
    }

    /**
     * PROTOCOL.krl 2.3: uint64 serial_offset, mpint bitmap. OpenSSH refuses a negative mpint, more than 2048
     * magnitude bytes, a bitmap that would revoke serial 0, and one that runs past 2^64-1.
     */
    private static SerialBitmap bitmap(SshReader sub) {
        long offset = sub.uint64("serial_offset");
        byte[] mag = sub.string("bitmap");
        if (mag.length > 0 && (mag[0] & 0x80) != 0) {
            throw new InvalidInputException("KRL serial bitmap is a negative mpint; OpenSSH rejects it");
        }
        if (mag.length > KrlFormat.MAX_BITMAP_BYTES + 1
                || (mag.length == KrlFormat.MAX_BITMAP_BYTES + 1 && mag[0] != 0)) {
            throw new InvalidInputException("KRL serial bitmap is " + mag.length + " bytes; OpenSSH reads at most "
                    + KrlFormat.MAX_BITMAP_BYTES + " (" + KrlFormat.MAX_BITMAP_BITS + " serials per bitmap)");
        }
        SerialBitmap b = SerialBitmap.fromMagnitude(offset, mag);
        if (b.nbits > 0) {
            if (offset == 0 && b.testBit(0)) {
                throw serialZero("serial bitmap");
            }
            if (Long.compareUnsigned(offset + (b.nbits - 1), offset) < 0) {
                throw new InvalidInputException("KRL serial bitmap at offset " + Long.toUnsignedString(offset)
                        + " runs past the largest serial (2^64-1)");
            }
        }
        return b;
    }

    private static InvalidInputException serialZero(String where) {
        return new InvalidInputException("KRL revokes serial 0 in a " + where + "; OpenSSH rejects that"
                + " (0 means 'no serial')");
    }

    /** Sections 3 and 4: strings; hashes have a fixed length and must be in ascending numeric order. */
    private static void blobs(SshReader s, int expectedLength, List<byte[]> into, int type) {
        byte[] previous = null;
        while (s.hasRemaining()) {
            byte[] b = s.string("entry");
            if (expectedLength != 0) {
                if (b.length != expectedLength) {
                    throw new InvalidInputException("KRL " + sectionName(type) + " has an entry of " + b.length
                            + " bytes; expected " + expectedLength);
                }
                if (previous != null && Arrays.compareUnsigned(previous, b) >= 0) {
                    throw new InvalidInputException("KRL " + sectionName(type) + " is not in ascending order"
                            + " (PROTOCOL.krl section 4 requires sorted, distinct hashes)");
                }
                previous = b;
            }
            into.add(b);
        }
    }

    /** Sections 5 and 2.5: string name, boolean critical, string contents. No extension is defined. */
    private void extension(SshReader s, boolean inCertificates) {
        String name = cstring(s.string("extension name"), "extension name");
        int critical = s.byte8("extension is_critical");
        byte[] contents = s.string("extension contents");
        s.expectEnd();
        if (critical != 0) {
            throw new InvalidInputException("KRL has a critical extension \"" + abbreviate(name)
                    + "\" that OpenSSH does not support; it would refuse the KRL");
        }
        extensions.add(new KrlExtension(name, inCertificates, contents));
    }

    /**
     * A string OpenSSH reads with sshbuf_get_cstring: no NUL inside. Decoded leniently, since OpenSSH does not
     * check UTF-8.
     */
    private static String cstring(byte[] raw, String what) {
        for (byte b : raw) {
            if (b == 0) {
                throw new InvalidInputException("KRL " + what + " contains a NUL byte; OpenSSH rejects it");
            }
        }
        return new String(raw, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
