package dev.keyward.ca.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertOptions;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.JcaKeys;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.JcaSigner;
import dev.keyward.ca.sign.SignatureAlgorithm;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.wire.SshReader;
import dev.keyward.ca.wire.SshWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OpenSSH certificates (PROTOCOL.certkeys): decoding with signature verification, and the encoder against the
 * decoder. Only {@link InvalidInputException} may escape {@link CertificateCodec#decode}.
 */
class CertificateFuzzTest {
    /** Accepted inputs checked against ssh-keygen -L: the first ones, then one in {@value #ORACLE_EVERY}. */
    private static final int ORACLE_FIRST = 40;
    private static final int ORACLE_EVERY = 500;
    private static final AtomicLong ACCEPTED = new AtomicLong();
    private static final List<JcaSigner> CAS = List.of(ca("Ed25519", null), ca("EC", "secp256r1"),
            ca("EC", "secp384r1"));
    private static final List<SshPublicKey> SUBJECTS = subjects();

    /**
     * A certificate that decodes (its CA signature verified) re-encodes to the same bytes, when it is one Keyward
     * would issue (no warnings); its signature covers every byte before it (changing any one of them makes the
     * decoder refuse it); its -cert.pub line decodes to the same; ssh-keygen -L reads it.
     */
    @FuzzTest
    void decode(byte[] data) throws IOException {
        SignedCertificate cert;
        try {
            cert = CertificateCodec.decode(data);
        } catch (InvalidInputException e) {
            return;
        }
        assertArrayEquals(data, cert.encoded());
        if (cert.certificate().warnings().isEmpty()) {
            SignedCertificate again = CertificateCodec.sign(cert.certificate(), replay(cert, data));
            assertArrayEquals(data, again.encoded(), "the encoder writes other bytes for the decoded certificate");
        }
        int signed = signedLength(cert, data);
        int at = Math.floorMod(Arrays.hashCode(data), signed);
        byte[] changed = data.clone();
        changed[at] ^= 0x01;
        assertThrows(InvalidInputException.class, () -> CertificateCodec.decode(changed),
                () -> "byte " + at + " changed and the certificate still decodes");
        SignedCertificate line = CertificateCodec.decodeLine(cert.toOpenSsh("c"));
        assertEquals(cert.certificate(), line.certificate());
        assertEquals(cert.caKey(), line.caKey());
        oracle(cert);
    }

    /**
     * Whatever the builder accepts, signed by a CA, decodes to the same certificate with no warning and verifies;
     * its signature is over the encoder's bytes; ssh-keygen -L reads it.
     */
    @FuzzTest
    void issue(FuzzedDataProvider in) throws IOException {
        JcaSigner ca = CAS.get(in.consumeInt(0, CAS.size() - 1));
        Certificate cert;
        try {
            cert = build(in);
        } catch (InvalidInputException e) {
            return; // the builder's checks (some run as each field is set)
        }
        SignedCertificate signed = CertificateCodec.sign(cert, ca);
        SignedCertificate decoded = CertificateCodec.decode(signed.encoded());
        assertEquals(cert, decoded.certificate());
        assertEquals(List.of(), decoded.certificate().warnings(), "an issued certificate reads back with warnings");
        assertEquals(ca.publicKey(), decoded.caKey());
        assertEquals(ca.algorithm().sshName(), decoded.signatureAlgorithm());
        assertArrayEquals(signed.encoded(), CertificateCodec.sign(decoded.certificate(), replay(decoded,
                signed.encoded())).encoded());
        oracle(decoded);
    }

    /** A certificate from fuzzed fields; the builder may refuse any of them. */
    private static Certificate build(FuzzedDataProvider in) {
        // each field is either a plain valid value (what an empty input gives) or fuzzed, so that most inputs get
        // past the builder's checks and through encoder and decoder
        Certificate.Builder b = Certificate.builder().key(in.pickValue(SUBJECTS))
                .type(in.consumeBoolean() ? CertType.HOST : CertType.USER)
                .serial(in.consumeBoolean() ? in.consumeLong() : 1)
                .nonce(in.consumeBoolean() ? in.consumeBytes(in.consumeInt(0, 64)) : new byte[32])
                .keyId(in.consumeBoolean() ? in.consumeString(80) : "fuzz-" + in.consumeInt(0, 999))
                .validity(in.consumeBoolean() ? in.consumeLong() : 1_800_000_000L,
                        in.consumeBoolean() ? in.consumeLong() : 1_800_003_600L);
        int principals = 1 + in.consumeInt(0, 3);
        for (int i = 0; i < principals; i++) {
            b.principal(in.consumeBoolean() ? in.consumeString(40) : "user" + i);
        }
        int options = in.consumeInt(0, 2);
        for (int i = 0; i < options; i++) {
            String name = in.pickValue(List.of(CertOptions.FORCE_COMMAND, CertOptions.SOURCE_ADDRESS, "x"));
            String value = in.consumeBoolean() ? in.consumeString(60)
                    : name.equals(CertOptions.SOURCE_ADDRESS) ? "10.0.0.0/8,::1" : "/bin/true";
            b.criticalOption(name, value);
        }
        int extensions = in.consumeInt(0, 4);
        for (int i = 0; i < extensions; i++) {
            String name = in.consumeBoolean() ? in.consumeString(30)
                    : in.pickValue(CertOptions.STANDARD_EXTENSIONS.stream().sorted().toList());
            if (in.consumeBoolean()) {
                b.extension(name, in.consumeString(30));
            } else {
                b.extension(name);
            }
        }
        return b.build();
    }

    /** ssh-keygen -L reads the certificate (it does not check the signature) and names the same serial. */
    private static void oracle(SignedCertificate cert) throws IOException {
        long n = ACCEPTED.incrementAndGet();
        if (n > ORACLE_FIRST && n % ORACLE_EVERY != 0) {
            return;
        }
        Path dir = Files.createTempDirectory("keyward-fuzz-cert");
        try {
            Path f = dir.resolve("k-cert.pub");
            Files.writeString(f, cert.toOpenSsh() + "\n");
            Cmd.Result r = Cmd.run(List.of("ssh-keygen", "-L", "-f", f.toString()));
            assertEquals(0, r.exitCode(), () -> "ssh-keygen -L refuses a certificate we accept: " + r.stderr());
            assertTrue(r.stdout().contains("Serial: " + Long.toUnsignedString(cert.certificate().serial())),
                    r::stdout);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /** A signer that gives back the signature the certificate already carries: re-encoding without the CA key. */
    private static CaSigner replay(SignedCertificate cert, byte[] encoded) {
        byte[] signature = new SshReader(Arrays.copyOfRange(encoded, signedLength(cert, encoded), encoded.length),
                "signature").string("signature");
        return new CaSigner() {
            public SshPublicKey publicKey() {
                return cert.caKey();
            }

            public SignatureAlgorithm algorithm() {
                return SignatureAlgorithm.fromSshName(cert.signatureAlgorithm());
            }

            public byte[] sign(byte[] tbs) {
                assertArrayEquals(Arrays.copyOf(encoded, tbs.length), tbs, "the encoder signs other bytes");
                return signature;
            }

            public String description() {
                return "replay";
            }
        };
    }

    /** Where the signature field starts: everything before it is signed (PROTOCOL.certkeys). */
    private static int signedLength(SignedCertificate cert, byte[] encoded) {
        SshReader r = new SshReader(encoded, "certificate");
        r.string("certificate type");
        r.string("nonce");
        int keyFields = switch (cert.certificate().key().type()) {
            case ED25519 -> 1;
            case SK_ECDSA_P256 -> 3;
            default -> 2;
        };
        for (int i = 0; i < keyFields; i++) {
            r.string("key field");
        }
        r.uint64("serial");
        r.uint32("type");
        for (String f : List.of("key id", "principals")) {
            r.string(f);
        }
        r.uint64("valid after");
        r.uint64("valid before");
        for (String f : List.of("critical options", "extensions", "reserved", "signature key")) {
            r.string(f);
        }
        return r.position();
    }

    private static JcaSigner ca(String algorithm, String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                g.initialize(new ECGenParameterSpec(curve));
            }
            KeyPair kp = g.generateKeyPair();
            return new JcaSigner(JcaKeys.fromJca(kp.getPublic()), kp.getPublic(), kp.getPrivate(), null, "fuzz CA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<SshPublicKey> subjects() {
        List<SshPublicKey> keys = new ArrayList<>();
        for (JcaSigner s : List.of(ca("Ed25519", null), ca("EC", "secp256r1"), ca("EC", "secp521r1"))) {
            keys.add(s.publicKey());
        }
        SshPublicKey ed = keys.get(0);
        byte[] sk = new SshWriter().string("sk-ssh-ed25519@openssh.com").bytes(ed.blobFieldsAfterType())
                .string("ssh:".getBytes(StandardCharsets.US_ASCII)).toByteArray();
        keys.add(PublicKeyParser.withDefaults().parseBlob(sk));
        return List.copyOf(keys);
    }
}
