package dev.keyward.ca.krl;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.Sha256;
import dev.keyward.ca.key.SshPublicKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a KRL revokes, independent of its encoding: the header fields of PROTOCOL.krl section 1 and the
 * revocations of sections 2 to 4. Immutable; built with {@link #builder()}, which merges and sorts everything
 * into the canonical form {@link KrlWriter} encodes (serial ranges merged, keys and hashes sorted and unique,
 * one entry per CA in the order the CAs were first named).
 *
 * <pre>{@code
 * KrlSpec.Builder b = KrlSpec.builder().version(42).comment("keyward");
 * b.ca(caKey).revokeSerial(17).revokeSerialRange(100, 199).revokeKeyId("alice@laptop");
 * b.anyCa().revokeKeyId("mallory");
 * b.revokeKey(stolenKey).revokeKeyHash(otherKey);
 * byte[] krl = KrlWriter.write(b.build());
 * }</pre>
 */
public final class KrlSpec {
    private final long version;
    private final long generatedDate;
    private final String comment;
    private final List<CaRevocations> certificates;
    private final List<byte[]> explicitKeys;
    private final List<byte[]> sha1;
    private final List<byte[]> sha256;

    private KrlSpec(long version, long generatedDate, String comment, List<CaRevocations> certificates,
            List<byte[]> explicitKeys, List<byte[]> sha1, List<byte[]> sha256) {
        this.version = version;
        this.generatedDate = generatedDate;
        this.comment = comment;
        this.certificates = List.copyOf(certificates);
        this.explicitKeys = explicitKeys;
        this.sha1 = sha1;
        this.sha256 = sha256;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code krl_version}: unsigned, should increase with every KRL published. */
    public long version() {
        return version;
    }

    /** {@code generated_date}: seconds since the epoch, unsigned. */
    public long generatedDate() {
        return generatedDate;
    }

    public String comment() {
        return comment;
    }

    /** Certificate revocations, one entry per CA (or "any CA"), in the order the CAs were first named. */
    public List<CaRevocations> certificates() {
        return certificates;
    }

    /** Plain public-key blobs revoked explicitly (KRL_SECTION_EXPLICIT_KEY), sorted, copies. */
    public List<byte[]> revokedKeyBlobs() {
        return copies(explicitKeys);
    }

    /** SHA1 hashes of revoked key blobs (KRL_SECTION_FINGERPRINT_SHA1), sorted, copies. */
    public List<byte[]> revokedSha1Hashes() {
        return copies(sha1);
    }

    /** SHA256 hashes of revoked key blobs (KRL_SECTION_FINGERPRINT_SHA256), sorted, copies. */
    public List<byte[]> revokedSha256Hashes() {
        return copies(sha256);
    }

    List<byte[]> explicitKeysShared() {
        return explicitKeys;
    }

    List<byte[]> sha1Shared() {
        return sha1;
    }

    List<byte[]> sha256Shared() {
        return sha256;
    }

    private static List<byte[]> copies(List<byte[]> in) {
        List<byte[]> out = new ArrayList<>(in.size());
        for (byte[] b : in) {
            out.add(b.clone());
        }
        return out;
    }

    /** Same revocations and header (byte-for-byte identical encodings). */
    @Override
    public boolean equals(Object o) {
        return o instanceof KrlSpec other && version == other.version && generatedDate == other.generatedDate
                && comment.equals(other.comment) && certificates.equals(other.certificates)
                && sameBlobs(explicitKeys, other.explicitKeys) && sameBlobs(sha1, other.sha1)
                && sameBlobs(sha256, other.sha256);
    }

    private static boolean sameBlobs(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, generatedDate, comment, certificates, explicitKeys.size(), sha256.size());
    }

    @Override
    public String toString() {
        return "KrlSpec{version " + Long.toUnsignedString(version)
                + ", generated " + Long.toUnsignedString(generatedDate)
                + ", " + certificates + ", " + explicitKeys.size() + " keys, " + sha1.size() + " SHA1, "
                + sha256.size() + " SHA256}";
    }

    static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

    /** Sorts (memcmp order, shorter first on a common prefix: krl.c's blob_cmp) and removes duplicates. */
    static List<byte[]> sortedUnique(List<byte[]> in) {
        List<byte[]> sorted = new ArrayList<>(in);
        sorted.sort(UNSIGNED);
        List<byte[]> out = new ArrayList<>(sorted.size());
        for (byte[] b : sorted) {
            if (out.isEmpty() || !Arrays.equals(out.get(out.size() - 1), b)) {
                out.add(b);
            }
        }
        return out;
    }

    static void checkNoNul(String s, String what) {
        if (s.indexOf('\0') >= 0) {
            throw new InvalidInputException(what + " contains a NUL character, which OpenSSH cannot read");
        }
    }


    /** Collects revocations; {@link #build()} validates, merges and sorts. Not thread-safe. */
    public static final class Builder {
        private long version;
        private Long generatedDate;
        private String comment = "";
        private final Map<SshPublicKey, CaBuilder> cas = new LinkedHashMap<>();
        private CaBuilder anyCa;
        private final List<CaBuilder> caOrder = new ArrayList<>();
        private final List<byte[]> explicitKeys = new ArrayList<>();
        private final List<byte[]> sha1 = new ArrayList<>();
        private final List<byte[]> sha256 = new ArrayList<>();

        private Builder() {
        }

        /** {@code krl_version} (unsigned 64-bit). */
        public Builder version(long version) {
            this.version = version;
            return this;
        }

        /** {@code generated_date} in seconds since the epoch (unsigned); defaults to the time of {@link #build()}. */
        public Builder generatedDate(long epochSeconds) {
            this.generatedDate = epochSeconds;
            return this;
        }

        public Builder generatedAt(Instant instant) {
            if (instant.getEpochSecond() < 0) {
                throw new InvalidInputException("KRL generated date must not be before 1970");
            }
            return generatedDate(instant.getEpochSecond());
        }

        public Builder comment(String comment) {
            checkNoNul(comment, "KRL comment");
            this.comment = comment;
            return this;
        }

        /** Revocations of certificates signed by {@code caKey}; calling it again for the same key adds to them. */
        public CaBuilder ca(SshPublicKey caKey) {
            Objects.requireNonNull(caKey, "caKey (use anyCa() for a wildcard)");
            return cas.computeIfAbsent(caKey.withComment(""), k -> register(new CaBuilder(k)));
        }

        /** Revocations that apply to certificates of every CA (PROTOCOL.krl section 2, empty ca_key). */
        public CaBuilder anyCa() {
            if (anyCa == null) {
                anyCa = register(new CaBuilder(null));
            }
            return anyCa;
        }

        private CaBuilder register(CaBuilder b) {
            caOrder.add(b);
            return b;
        }

        /** Revokes a plain key (and certificates for it) by its full blob (KRL_SECTION_EXPLICIT_KEY). */
        public Builder revokeKey(SshPublicKey key) {
            explicitKeys.add(key.blob());
            return this;
        }

        /** Revokes a key by the SHA256 hash of its blob (KRL_SECTION_FINGERPRINT_SHA256). */
        public Builder revokeKeyHash(SshPublicKey key) {
            sha256.add(Sha256.of(key.blob()));
            return this;
        }

        /** Revokes a key by the SHA1 hash of its blob (KRL_SECTION_FINGERPRINT_SHA1; legacy, prefer SHA256). */
        public Builder revokeKeySha1(SshPublicKey key) {
            try {
                return revokeSha1(java.security.MessageDigest.getInstance("SHA-1").digest(key.blob()));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is missing from this JDK", e);
            }
        }

        /**
         * Revokes by a fingerprint as {@code ssh-keygen -lf} prints it: {@code SHA256:<base64>}, or
         * {@code SHA1:<base64>} ({@code ssh-keygen -l -E sha1}); the prefix in any case, padding optional.
         */
        public Builder revokeFingerprint(String fingerprint) {
            int colon = fingerprint == null ? -1 : fingerprint.indexOf(':');
            String algorithm = colon < 0 ? "" : fingerprint.substring(0, colon).toUpperCase(java.util.Locale.ROOT);
            if (!algorithm.equals("SHA256") && !algorithm.equals("SHA1")) {
                throw new InvalidInputException(
                        "fingerprint must look like SHA256:<base64> or SHA1:<base64> (as ssh-keygen -l prints)");
            }
            byte[] hash;
            try {
                hash = Base64.getDecoder().decode(fingerprint.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("fingerprint is not valid base64 after '" + algorithm + ":'");
            }
            return algorithm.equals("SHA1") ? revokeSha1(hash) : revokeSha256(hash);
        }

        /** Revokes by a raw 32-byte SHA256 hash of a key blob. */
        public Builder revokeSha256(byte[] hash) {
            if (hash.length != KrlFormat.SHA256_LENGTH) {
                throw new InvalidInputException("a SHA256 key hash is 32 bytes, got " + hash.length);
            }
            sha256.add(hash.clone());
            return this;
        }

        /** Revokes by a raw 20-byte SHA1 hash of a key blob (legacy; prefer SHA256). */
        public Builder revokeSha1(byte[] hash) {
            if (hash.length != KrlFormat.SHA1_LENGTH) {
                throw new InvalidInputException("a SHA1 key hash is 20 bytes, got " + hash.length);
            }
            sha1.add(hash.clone());
            return this;
        }

        /** Revokes a raw key blob; for parsed KRLs whose keys Keyward does not itself accept. */
        Builder revokeKeyBlob(byte[] blob) {
            explicitKeys.add(blob.clone());
            return this;
        }

        public KrlSpec build() {
            List<CaRevocations> certs = new ArrayList<>();
            for (CaBuilder b : caOrder) {
                certs.add(b.build());
            }
            return buildWith(certs);
        }

        /** Builds with already-normalised certificate revocations (from a parsed KRL); drops empty entries. */
        KrlSpec buildWith(List<CaRevocations> revocations) {
            List<CaRevocations> certs = new ArrayList<>();
            for (CaRevocations r : revocations) {
                if (!r.serials().isEmpty() || !r.keyIds().isEmpty()) {
                    certs.add(r);
                }
            }
            long date = generatedDate != null ? generatedDate : Instant.now().getEpochSecond();
            return new KrlSpec(version, date, comment, certs, List.copyOf(sortedUnique(explicitKeys)),
                    List.copyOf(sortedUnique(sha1)), List.copyOf(sortedUnique(sha256)));
        }
    }

    /** Serials and key IDs revoked under one CA (or any CA). */
    public static final class CaBuilder {
        private final SshPublicKey caKey;
        private final LongList lo = new LongList();
        private final LongList hi = new LongList();
        private final List<String> keyIds = new ArrayList<>();

        private CaBuilder(SshPublicKey caKey) {
            this.caKey = caKey;
        }

        /**
         * Revokes one serial (unsigned). Serial 0 is refused: OpenSSH treats it as "no serial", never revokes it
         * by serial and rejects a KRL that lists it; revoke such certificates by key ID.
         */
        public CaBuilder revokeSerial(long serial) {
            checkSerial(serial);
            lo.add(serial);
            hi.add(serial);
            return this;
        }

        /** Revokes each of {@code serials} (bulk form of {@link #revokeSerial}, no boxing). */
        public CaBuilder revokeSerials(long[] serials) {
            for (long s : serials) {
                checkSerial(s);
            }
            lo.addAll(serials, 0, serials.length);
            hi.addAll(serials, 0, serials.length);
            return this;
        }

        /** Revokes the serials {@code from..to}, both inclusive and unsigned, {@code 0 < from <= to}. */
        public CaBuilder revokeSerialRange(long from, long to) {
            checkSerial(from);
            if (Long.compareUnsigned(from, to) > 0) {
                throw new InvalidInputException("serial range " + Long.toUnsignedString(from) + "-"
                        + Long.toUnsignedString(to) + " is empty: the start is above the end");
            }
            lo.add(from);
            hi.add(to);
            return this;
        }

        /** Revokes every certificate with this key ID (compared byte for byte, like sshd does). */
        public CaBuilder revokeKeyId(String keyId) {
            Objects.requireNonNull(keyId, "keyId");
            checkNoNul(keyId, "key ID");
            keyIds.add(keyId);
            return this;
        }

        private static void checkSerial(long serial) {
            if (serial == 0) {
                throw new InvalidInputException("serial 0 cannot be revoked by serial: OpenSSH treats 0 as"
                        + " 'no serial' and rejects KRLs that list it; revoke by key ID instead");
            }
        }

        CaRevocations build() {
            SerialRanges ranges = SerialRanges.union(lo.array(), hi.array(), lo.size());
            List<byte[]> ids = new ArrayList<>();
            for (String id : keyIds) {
                ids.add(id.getBytes(StandardCharsets.UTF_8));
            }
            List<String> sortedIds = new ArrayList<>();
            for (byte[] id : sortedUnique(ids)) {
                sortedIds.add(new String(id, StandardCharsets.UTF_8));
            }
            return new CaRevocations(caKey, ranges, sortedIds);
        }
    }
}
