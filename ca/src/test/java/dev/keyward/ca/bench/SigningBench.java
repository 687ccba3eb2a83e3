package dev.keyward.ca.bench;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.JcaKeys;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.pkcs11.Pkcs11Signer;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.JcaSigner;
import dev.keyward.ca.sign.SignatureAlgorithm;
import dev.keyward.ca.testing.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The two in-process workloads over one CA key: the raw JCA signature (the ceiling) and full issuance through
 * the library (build with a fresh nonce, encode, sign, render the {@code -cert.pub} line).
 */
final class SigningBench {
    private final CaSigner signer;
    private final SshPublicKey subject;
    private final JcaSigner jca;
    private final byte[] message;
    private final ThreadLocal<Signature> rawSignatures;
    private final AtomicLong serials = new AtomicLong(1_000_000);
    private final LongAdder sink = new LongAdder(); // consumes results so no work can be optimised away

    SigningBench(CaSigner signer, SshPublicKey subject) {
        this.signer = signer;
        this.subject = subject;
        // The raw rate must use the very key handle and provider instance the library signs with (a second
        // SunPKCS11 provider for the slot would have its own session pool): JcaSigner.newRawSignature gives that.
        JcaSigner j = signer instanceof Pkcs11Signer p11 ? p11.jcaSigner() : signer instanceof JcaSigner js ? js : null;
        if (j == null) {
            throw new IllegalStateException("expected a PKCS#11 or JCA signer, got " + signer.getClass().getName());
        }
        this.jca = j;
        this.message = toBeSigned();
        this.rawSignatures = ThreadLocal.withInitial(jca::newRawSignature);
    }

    String providerName() {
        return jca.providerName();
    }

    /** The size of the to-be-signed part of one issued certificate: the raw workload signs messages this long. */
    int messageLength() {
        return message.length;
    }

    /**
     * Raw JCA: update + sign on a per-thread Signature initialised once (after sign() a JCA Signature is ready
     * for the next message with the same key). Nothing SSH-specific: the ceiling for issuance.
     */
    Throughput.Op raw() {
        return (worker, i) -> {
            Signature s = rawSignatures.get();
            s.update(message);
            sink.add(s.sign().length);
        };
    }

    /** Full issuance as a CA handles one request, after the policy decided the fields. */
    Throughput.Op issuance() {
        return (worker, i) -> sink.add(issue(serials.getAndIncrement()).toOpenSsh("bench").length());
    }

    SignedCertificate issue(long serial) {
        return CertificateCodec.sign(template(serial, System.currentTimeMillis() / 1000), signer);
    }

    /** A typical user certificate: one principal, one hour, OpenSSH's default extensions, fresh nonce. */
    private Certificate template(long serial, long now) {
        return Certificate.builder() // no nonce given: 32 fresh bytes from SecureRandom
                .key(subject).type(CertType.USER).serial(serial).keyId("bench-" + serial)
                .principal("alice").validity(now - 60, now + 3600).defaultUserExtensions()
                .build();
    }

    /**
     * Issues one certificate and checks it the way a relying party would: our decoder verifies the CA signature,
     * and {@code ssh-keygen -L} parses it. Returns the certificate file.
     */
    Path checkIssued(Path dir) throws IOException {
        SignedCertificate cert = issue(42);
        String line = cert.toOpenSsh("bench");
        SignedCertificate decoded = CertificateCodec.decodeLine(line); // throws unless the signature verifies
        if (!Arrays.equals(decoded.caKey().blob(), signer.publicKey().blob())
                || !decoded.certificate().equals(cert.certificate())) {
            throw new IllegalStateException("issued certificate does not decode to what was issued");
        }
        Path file = Files.writeString(dir.resolve("issued-cert.pub"), line + "\n");
        Cmd.Result r = Cmd.run(List.of("ssh-keygen", "-L", "-f", file.toString()));
        if (r.exitCode() != 0 || !r.stdout().contains("Key ID: \"bench-42\"")) {
            throw new IllegalStateException("ssh-keygen -L does not accept the issued certificate: "
                    + r.stderr() + r.stdout());
        }
        return file;
    }

    /** Checks the raw path too: its signatures must verify against the CA key. */
    void checkRaw() throws GeneralSecurityException {
        Signature s = rawSignatures.get();
        s.update(message);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(signer.algorithm().jcaName());
        v.initVerify(JcaKeys.toJca(signer.publicKey()));
        v.update(message);
        if (!v.verify(sig)) {
            throw new IllegalStateException("raw signature does not verify against the CA public key");
        }
        if (signer.algorithm() != SignatureAlgorithm.ECDSA_P256) {
            throw new IllegalStateException("expected an ECDSA P-256 key, got " + signer.algorithm());
        }
    }

    long sink() {
        return sink.sum();
    }

    /** The bytes the CA signs for one certificate: captured by a signer that records and delegates. */
    private byte[] toBeSigned() {
        byte[][] seen = new byte[1][];
        CaSigner recording = new CaSigner() {
            @Override
            public SshPublicKey publicKey() {
                return signer.publicKey();
            }

            @Override
            public SignatureAlgorithm algorithm() {
                return signer.algorithm();
            }

            @Override
            public byte[] sign(byte[] data) {
                seen[0] = data.clone();
                return signer.sign(data);
            }

            @Override
            public String description() {
                return signer.description();
            }
        };
        long now = System.currentTimeMillis() / 1000;
        CertificateCodec.sign(template(1, now), recording);
        return seen[0];
    }
}
