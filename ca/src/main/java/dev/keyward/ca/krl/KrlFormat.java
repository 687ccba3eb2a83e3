package dev.keyward.ca.krl;

/** Constants of the KRL format (PROTOCOL.krl) and the limits OpenSSH's {@code krl.c} enforces when reading. */
final class KrlFormat {
    /** PROTOCOL.krl section 1: {@code KRL_MAGIC} is the 8 bytes "SSHKRL\n\0". */
    static final byte[] MAGIC = {'S', 'S', 'H', 'K', 'R', 'L', '\n', 0};
    /** PROTOCOL.krl section 1: {@code KRL_FORMAT_VERSION}. */
    static final long FORMAT_VERSION = 1;

    // PROTOCOL.krl section 1: top-level section types.
    static final int SECTION_CERTIFICATES = 1;
    static final int SECTION_EXPLICIT_KEY = 2;
    static final int SECTION_FINGERPRINT_SHA1 = 3;
    static final int SECTION_SIGNATURE = 4;
    static final int SECTION_FINGERPRINT_SHA256 = 5;
    static final int SECTION_EXTENSION = 255;

    // PROTOCOL.krl section 2: certificate subsection types.
    static final int CERT_SERIAL_LIST = 0x20;
    static final int CERT_SERIAL_RANGE = 0x21;
    static final int CERT_SERIAL_BITMAP = 0x22;
    static final int CERT_KEY_ID = 0x23;
    static final int CERT_EXTENSION = 0x39;

    static final int SHA1_LENGTH = 20;
    static final int SHA256_LENGTH = 32;

    /**
     * OpenSSH reads a bitmap's mpint with {@code sshbuf_get_bignum2_bytes_direct}, which refuses more than
     * SSHBUF_MAX_BIGNUM (2048) magnitude bytes, so one bitmap section can cover at most 16384 serials.
     * {@code ssh-keygen -k} (9.2) does not respect this and writes KRLs it then cannot load ("bignum is too
     * large"); {@link KrlWriter} starts a new bitmap section instead.
     */
    static final int MAX_BITMAP_BYTES = 2048;
    static final int MAX_BITMAP_BITS = MAX_BITMAP_BYTES * 8;

    private KrlFormat() {
    }

    static String sectionName(int type) {
        return switch (type) {
            case SECTION_CERTIFICATES -> "certificates section";
            case SECTION_EXPLICIT_KEY -> "explicit key section";
            case SECTION_FINGERPRINT_SHA1 -> "SHA1 fingerprint section";
            case SECTION_SIGNATURE -> "signature section";
            case SECTION_FINGERPRINT_SHA256 -> "SHA256 fingerprint section";
            case SECTION_EXTENSION -> "extension section";
            case CERT_SERIAL_LIST -> "serial list subsection";
            case CERT_SERIAL_RANGE -> "serial range subsection";
            case CERT_SERIAL_BITMAP -> "serial bitmap subsection";
            case CERT_KEY_ID -> "key ID subsection";
            case CERT_EXTENSION -> "certificate extension subsection";
            default -> "section type " + type;
        };
    }
}
