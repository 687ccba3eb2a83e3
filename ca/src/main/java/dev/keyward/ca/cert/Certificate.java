package dev.keyward.ca.cert;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.SshPublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The to-be-signed part of an OpenSSH certificate (PROTOCOL.certkeys), immutable and validated.
 *
 * <p>Edge cases recorded here so callers do not rediscover them:
 * <ul>
 * <li>serial, valid-after and valid-before are unsigned 64-bit values held in a {@code long}; compare them
 * with {@link Long#compareUnsigned}. {@link #FOREVER} (2^64-1) is "never expires".</li>
 * <li>Critical options and extensions are kept sorted by name, each name once: OpenSSH refuses others.</li>
 * <li>Principals are required (OpenSSH 10.3+ refuses certificates without), and may not contain commas,
 * whitespace or control characters (sshd matches them against comma-separated lists).</li>
 * <li>Key IDs are printable ASCII without spaces or parentheses because sshd logs them unquoted.</li>
 * </ul>
 * Those are the rules of {@link Builder#build()}, for certificates Keyward issues. A decoded certificate
 * ({@link CertificateCodec#decode}) follows OpenSSH's reading rules instead, which are looser: what it breaks of the
 * rules above is listed in {@link #warnings()}.
 */
public final class Certificate {
    /** valid-before value meaning "forever". */
    public static final long FOREVER = -1L;
    public static final int MAX_PRINCIPALS = 256;
    public static final int MAX_PRINCIPAL_LENGTH = 255;
    public static final int MAX_KEY_ID_LENGTH = 255;

    /**
     * One DRBG per thread: the default NativePRNG serialises every nonce on a JVM-wide lock around
     * /dev/urandom, which shows up when several threads issue at HSM speed.
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(Certificate::newRandom);

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    private final byte[] nonce;
    private final SshPublicKey key;
    private final long serial;
    private final CertType type;
    private final String keyId;
    private final List<String> principals;
    private final long validAfter;
    private final long validBefore;
    private final SortedMap<String, String> criticalOptions;
    private final SortedMap<String, String> extensions;
    private final List<String> warnings;

    private Certificate(Builder b, List<String> warnings) {
        this.nonce = b.nonce.clone();
        this.key = b.key;
        this.serial = b.serial;
        this.type = b.type;
        this.keyId = b.keyId;
        this.principals = List.copyOf(b.principals);
        this.validAfter = b.validAfter;
        this.validBefore = b.validBefore;
        this.criticalOptions = Collections.unmodifiableSortedMap(new TreeMap<>(b.criticalOptions));
        this.extensions = Collections.unmodifiableSortedMap(new TreeMap<>(b.extensions));
        this.warnings = List.copyOf(warnings);
    }

    public static Builder builder() {
        return new Builder();
    }

    public byte[] nonce() {
        return nonce.clone();
    }

    public SshPublicKey key() {
        return key;
    }

    public long serial() {
        return serial;
    }

    public CertType type() {
        return type;
    }

    public String keyId() {
        return keyId;
    }

    public List<String> principals() {
        return principals;
    }

    public long validAfter() {
        return validAfter;
    }

    public long validBefore() {
        return validBefore;
    }

    public SortedMap<String, String> criticalOptions() {
        return criticalOptions;
    }

    public SortedMap<String, String> extensions() {
        return extensions;
    }

    /**
     * Why Keyward would not issue this certificate, one sentence each: empty for every certificate from
     * {@link Builder#build()}; for a decoded one, each issuance rule it breaks (a key ID with spaces, no principals,
     * an unknown critical option, ...) and each oddity of its encoding (options out of order, text that is not UTF-8).
     * Not part of {@link #equals}: it follows from the fields and the encoding.
     */
    public List<String> warnings() {
        return warnings;
    }

    /** valid-after as an Instant (values past year 292278994 clamp to Instant.MAX). */
    public Instant validAfterInstant() {
        return toInstant(validAfter);
    }

    public Instant validBeforeInstant() {
        return toInstant(validBefore);
    }

    /** Whether the certificate is valid at {@code epochSecond}, as sshd checks it. */
    public boolean isValidAt(long epochSecond) {
        return Long.compareUnsigned(epochSecond, validAfter) >= 0 && Long.compareUnsigned(epochSecond, validBefore) < 0;
    }

    static Instant toInstant(long unsignedSeconds) {
        if (unsignedSeconds < 0 || unsignedSeconds > Instant.MAX.getEpochSecond()) {
            return Instant.MAX;
        }
        return Instant.ofEpochSecond(unsignedSeconds);
    }

    public Builder toBuilder() {
        Builder b = new Builder().nonce(nonce).key(key).serial(serial).type(type).keyId(keyId)
                .principals(principals).validAfter(validAfter).validBefore(validBefore);
        b.criticalOptions.putAll(criticalOptions);
        b.extensions.putAll(extensions);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Certificate c && java.util.Arrays.equals(nonce, c.nonce) && key.equals(c.key)
                && serial == c.serial && type == c.type && keyId.equals(c.keyId) && principals.equals(c.principals)
                && validAfter == c.validAfter && validBefore == c.validBefore
                && criticalOptions.equals(c.criticalOptions) && extensions.equals(c.extensions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, serial, keyId);
    }

    @Override
    public String toString() {
        return type.label() + " cert serial=" + Long.toUnsignedString(serial) + " id=" + keyId + " principals="
                + principals + " key=" + key.fingerprint();
    }

    /** Collects fields and validates them all in {@link #build()}. */
    public static final class Builder {
        private byte[] nonce;
        private SshPublicKey key;
        private long serial;
        private boolean serialSet;
        private CertType type;
        private String keyId;
        private final List<String> principals = new ArrayList<>();
        private long validAfter;
        private long validBefore;
        private boolean validitySet;
        private final Map<String, String> criticalOptions = new TreeMap<>();
        private final Map<String, String> extensions = new TreeMap<>();

        private Builder() {
        }

        /** The nonce; by default 32 fresh bytes from SecureRandom. */
        public Builder nonce(byte[] nonce) {
            this.nonce = nonce.clone();
            return this;
        }

        public Builder key(SshPublicKey key) {
            this.key = key;
            return this;
        }

        /** The serial number, an unsigned 64-bit value. */
        public Builder serial(long serial) {
            this.serial = serial;
            this.serialSet = true;
            return this;
        }

        public Builder type(CertType type) {
            this.type = type;
            return this;
        }

        public Builder keyId(String keyId) {
            this.keyId = keyId;
            return this;
        }

        public Builder principals(List<String> principals) {
            this.principals.clear();
            this.principals.addAll(principals);
            return this;
        }

        public Builder principal(String principal) {
            this.principals.add(principal);
            return this;
        }

        /** Validity as unsigned epoch seconds: valid from {@code after} (inclusive) to {@code before} (exclusive). */
        public Builder validity(long after, long before) {
            this.validAfter = after;
            this.validBefore = before;
            this.validitySet = true;
            return this;
        }

        public Builder validity(Instant after, Instant before) {
            return validity(after.getEpochSecond(), before.getEpochSecond());
        }

        public Builder validAfter(long after) {
            this.validAfter = after;
            return this;
        }

        public Builder validBefore(long before) {
            this.validBefore = before;
            this.validitySet = true;
            return this;
        }

        public Builder criticalOption(String name, String value) {
            if (criticalOptions.containsKey(name)) {
                throw new InvalidInputException("critical option " + name + " given twice");
            }
            criticalOptions.put(name, value == null ? "" : value);
            return this;
        }

        public Builder extension(String name) {
            return extension(name, "");
        }

        public Builder extension(String name, String value) {
            if (extensions.containsKey(name)) {
                throw new InvalidInputException("extension " + name + " given twice");
            }
            extensions.put(name, value == null ? "" : value);
            return this;
        }

        /** Adds OpenSSH's default user-certificate extensions (the permit-* set). */
        public Builder defaultUserExtensions() {
            for (String e : CertOptions.DEFAULT_USER_EXTENSIONS) {
                extensions.putIfAbsent(e, "");
            }
            return this;
        }

        public Certificate build() {
            completeOrRefuse();
            IssuanceRules.check(type, nonce, keyId, principals, validAfter, validBefore, criticalOptions, extensions,
                    IssuanceRules.REFUSE);
            return new Certificate(this, List.of());
        }

        /**
         * Builds a certificate as OpenSSH reads one (sshkey.c {@code cert_parse}): complete, but held to none of the
         * issuance rules; those it breaks become its {@link #warnings()}, after {@code readWarnings} (what the decoder
         * noticed about the encoding).
         */
        Certificate buildAsRead(List<String> readWarnings) {
            completeOrRefuse();
            if (keyId == null) {
                throw new InvalidInputException("certificate needs a key ID");
            }
            List<String> warnings = new ArrayList<>(readWarnings);
            IssuanceRules.check(type, nonce, keyId, principals, validAfter, validBefore, criticalOptions, extensions,
                    warnings::add);
            return new Certificate(this, warnings);
        }

        private void completeOrRefuse() {
            if (key == null) {
                throw new InvalidInputException("certificate needs a public key");
            }
            if (type == null) {
                throw new InvalidInputException("certificate needs a type (user or host)");
            }
            if (!serialSet) {
                throw new InvalidInputException("certificate needs a serial number");
            }
            if (!validitySet) {
                throw new InvalidInputException("certificate needs a validity period");
            }
            if (nonce == null) {
                nonce = new byte[32];
                RANDOM.get().nextBytes(nonce);
            }
        }
    }
}
