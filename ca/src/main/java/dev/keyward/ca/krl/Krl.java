package dev.keyward.ca.krl;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed, validated KRL (PROTOCOL.krl) that answers revocation questions exactly as OpenSSH does
 * ({@code ssh_krl_check_key} in krl.c, used by {@code ssh-keygen -Q} and sshd's {@code RevokedKeys}):
 * <ul>
 * <li>a plain key is revoked if its blob is listed explicitly or its blob's SHA1 or SHA256 hash is listed;</li>
 * <li>a certificate is revoked if its subject key is revoked that way, if its key ID or (non-zero) serial is
 * revoked under its CA or under "any CA", or if its CA key itself is revoked as a plain key.</li>
 * </ul>
 * Immutable and thread-safe. Instances come from {@link #parse}, {@link #parseForInstall}, {@link #of} and
 * {@link #empty}; {@link #encoded()} gives the exact bytes to install.
 */
public final class Krl {
    private final byte[] encoded;
    private final long version;
    private final long generatedDate;
    private final long flags;
    private final String comment;
    private final List<RevokedCertificates> caOrder;
    private final Map<SshPublicKey, RevokedCertificates> byCa;
    private final RevokedCertificates anyCa;
    private final byte[][] explicitKeys;
    private final byte[][] sha1;
    private final byte[][] sha256;
    private final List<KrlSignature> signatures;
    private final List<KrlExtension> extensions;

    Krl(byte[] encoded, long version, long generatedDate, long flags, String comment,
            List<RevokedCertificates> caOrder, Map<SshPublicKey, RevokedCertificates> byCa, RevokedCertificates anyCa,
            List<byte[]> explicitKeys, List<byte[]> sha1, List<byte[]> sha256, List<KrlSignature> signatures,
            List<KrlExtension> extensions) {
        this.encoded = encoded;
        this.version = version;
        this.generatedDate = generatedDate;
        this.flags = flags;
        this.comment = comment;
        this.caOrder = List.copyOf(caOrder);
        this.byCa = Map.copyOf(byCa);
        this.anyCa = anyCa;
        this.explicitKeys = explicitKeys.toArray(new byte[0][]);
        this.sha1 = sha1.toArray(new byte[0][]);
        this.sha256 = sha256.toArray(new byte[0][]);
        this.signatures = List.copyOf(signatures);
        this.extensions = List.copyOf(extensions);
    }

    /**
     * Parses any valid KRL, including ones with signature sections (recorded in {@link #signatures()}, not
     * verified) and non-critical extensions. Throws {@link InvalidInputException} naming the problem for bad
     * magic or format version, truncation, oversized lengths, trailing bytes in a section, unknown section
     * types, serial 0, inverted ranges, oversized bitmaps, unsorted fingerprint sections and anything else
     * OpenSSH would refuse.
     */
    public static Krl parse(byte[] krl) {
        Objects.requireNonNull(krl, "krl");
        return KrlParser.parse(krl);
    }

    /**
     * {@link #parse} plus the checks for a KRL that is about to become sshd's RevokedKeys file: it must load in
     * every OpenSSH version, so no signature section (OpenSSH 9.4 and later refuse them; older versions
     * require them to verify) and no extension (OpenSSH before 9.4 refuses them). An sshd that cannot load its
     * KRL refuses every public-key login, so call this before installing a KRL received from elsewhere.
     */
    public static Krl parseForInstall(byte[] krl) {
        Krl parsed = parse(krl);
        if (!parsed.signatures.isEmpty()) {
            throw new InvalidInputException("KRL carries a signature section, which OpenSSH 9.4 and later refuse"
                    + " (sshd would then refuse every public-key login); publish KRLs unsigned and sign them out"
                    + " of band");
        }
        if (!parsed.extensions.isEmpty()) {
            throw new InvalidInputException("KRL carries an extension (\"" + parsed.extensions.get(0).name()
                    + "\"), which OpenSSH before 9.4 refuses; it is not safe to install");
        }
        return parsed;
    }

    /** Encodes {@code spec} with {@link KrlWriter} and returns it parsed. */
    public static Krl of(KrlSpec spec) {
        return parse(KrlWriter.write(spec));
    }

    /**
     * A valid KRL that revokes nothing, generated now. Installed before the first sync so sshd's RevokedKeys
     * always names a loadable file (a missing one blocks all public-key logins).
     */
    public static Krl empty(long version) {
        return of(KrlSpec.builder().version(version).build());
    }

    /** The exact bytes this was parsed from. */
    public byte[] encoded() {
        return encoded.clone();
    }

    public int encodedLength() {
        return encoded.length;
    }

    /** {@code krl_version}, unsigned. */
    public long version() {
        return version;
    }

    /** {@code generated_date}: seconds since the epoch, unsigned. */
    public long generatedDate() {
        return generatedDate;
    }

    /** {@link #generatedDate()} as an Instant; dates beyond {@link Instant#MAX} give {@link Instant#MAX}. */
    public Instant generatedAt() {
        if (generatedDate < 0 || generatedDate > Instant.MAX.getEpochSecond()) {
            return Instant.MAX;
        }
        return Instant.ofEpochSecond(generatedDate);
    }

    /** The header flags (none are defined; OpenSSH ignores them). */
    public long flags() {
        return flags;
    }

    public String comment() {
        return comment;
    }

    /** Signature sections found (PROTOCOL.krl section 6), in order; never verified. */
    public List<KrlSignature> signatures() {
        return signatures;
    }

    /** Non-critical extensions found (sections 5 and 2.5), in order. */
    public List<KrlExtension> extensions() {
        return extensions;
    }

    /** Is this plain key revoked (explicitly, or by the SHA1 or SHA256 hash of its blob)? */
    public boolean isRevoked(SshPublicKey key) {
        return isKeyBlobRevoked(key.blob());
    }

    /** Would sshd refuse this certificate under this KRL? */
    public boolean isRevoked(SignedCertificate cert) {
        return isRevokedCertificate(cert.caKey(), cert.certificate().serial(), cert.certificate().keyId(),
                cert.certificate().key());
    }

    /**
     * Would sshd refuse a certificate for {@code subjectKey} with this serial (unsigned; 0 is never revoked by
     * serial) and key ID, signed by {@code caKey}?
     */
    public boolean isRevokedCertificate(SshPublicKey caKey, long serial, String keyId, SshPublicKey subjectKey) {
        Objects.requireNonNull(caKey, "caKey");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(subjectKey, "subjectKey");
        if (isKeyBlobRevoked(subjectKey.blob())) {
            return true;
        }
        byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
        RevokedCertificates forCa = byCa.get(caKey);
        if (forCa != null && forCa.isRevoked(serial, id)) {
            return true;
        }
        if (anyCa != null && anyCa.isRevoked(serial, id)) {
            return true;
        }
        // ssh_krl_check_key also refuses a certificate whose CA key is itself revoked.
        return isKeyBlobRevoked(caKey.blob());
    }

    private boolean isKeyBlobRevoked(byte[] blob) {
        if (sha1.length > 0 && contains(sha1, digest("SHA-1", blob))) {
            return true;
        }
        if (sha256.length > 0 && contains(sha256, digest("SHA-256", blob))) {
            return true;
        }
        return contains(explicitKeys, blob);
    }

    private static boolean contains(byte[][] sorted, byte[] value) {
        return Arrays.binarySearch(sorted, value, KrlSpec.UNSIGNED) >= 0;
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }

    /**
     * What this KRL revokes, as a spec: serials from lists, ranges and bitmaps merged, one entry per CA in the
     * order the CAs first appear. Writing it back gives an equivalent (and, for ssh-keygen or Keyward KRLs,
     * usually identical) KRL. Key IDs that are not UTF-8 are decoded with replacement characters.
     */
    public KrlSpec toSpec() {
        KrlSpec.Builder b = KrlSpec.builder().version(version).generatedDate(generatedDate).comment(comment);
        for (byte[] k : explicitKeys) {
            b.revokeKeyBlob(k);
        }
        for (byte[] h : sha1) {
            b.revokeSha1(h);
        }
        for (byte[] h : sha256) {
            b.revokeSha256(h);
        }
        return b.buildWith(caOrder.stream().map(RevokedCertificates::toRevocations).toList());
    }

    @Override
    public String toString() {
        return "Krl{version " + Long.toUnsignedString(version) + ", generated " + generatedAt() + ", "
                + caOrder.size() + " CA sections, " + explicitKeys.length + " keys, " + sha1.length + " SHA1, "
                + sha256.length + " SHA256, " + encoded.length + " bytes}";
    }
}
