package dev.keyward.cli.testing;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.SoftwareKeys;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** A software CA (Ed25519 key file in a temp dir) that signs certificates the way a test needs them. */
public final class TestCa {
    private final CaSigner signer;
    private final Path keyFile;

    public TestCa(Path dir, String name) {
        this.keyFile = dir.resolve(name);
        this.signer = SoftwareKeys.create(keyFile, CaAlgorithm.ED25519, SecretSource.of(Map.of()));
    }

    public SshPublicKey publicKey() {
        return signer.publicKey();
    }

    /** The CA's public key file ({@code NAME.pub}), e.g. for sshd's TrustedUserCAKeys. */
    public Path publicKeyFile() {
        return Path.of(keyFile + ".pub");
    }

    /** A user certificate for {@code key}, valid from a minute ago for {@code seconds}, principal alice. */
    public SignedCertificate userCert(SshPublicKey key, long seconds) {
        return sign(Certificate.builder().type(CertType.USER).key(key), seconds);
    }

    /** A user certificate for {@code key} valid from {@code after} to {@code before} (epoch seconds). */
    public SignedCertificate userCert(SshPublicKey key, long after, long before) {
        Certificate c = Certificate.builder().type(CertType.USER).key(key).serial(42).keyId("alice")
                .principal("alice").validity(after, before).build();
        return CertificateCodec.sign(c, signer);
    }

    public SignedCertificate sign(Certificate.Builder b, long seconds) {
        long now = Instant.now().getEpochSecond();
        Certificate c = b.serial(42).keyId("alice").principal("alice").validity(now - 60, now + seconds).build();
        return CertificateCodec.sign(c, signer);
    }
}
