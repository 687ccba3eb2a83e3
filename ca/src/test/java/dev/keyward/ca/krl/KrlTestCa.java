package dev.keyward.ca.krl;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.JcaKeys;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.JcaSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/**
 * A software ECDSA P-256 CA and subject keys generated in memory for KRL tests: issuing hundreds of
 * certificates in-process is what keeps the ssh-keygen comparisons fast (ssh-keygen -Q does not verify
 * certificate signatures; tests that need ssh-keygen-signed certificates make them with ssh-keygen -s).
 */
final class KrlTestCa {
    private final JcaSigner signer;

    KrlTestCa() {
        KeyPair kp = newKeyPair();
        this.signer = new JcaSigner(JcaKeys.fromJca(kp.getPublic()), kp.getPublic(), kp.getPrivate(), null, "test CA");
    }

    SshPublicKey publicKey() {
        return signer.publicKey();
    }

    static SshPublicKey newKey() {
        return JcaKeys.fromJca(newKeyPair().getPublic());
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    SignedCertificate issue(SshPublicKey subject, long serial, String keyId) {
        Certificate cert = Certificate.builder().key(subject).serial(serial).type(CertType.USER).keyId(keyId)
                .principal("p").validity(0L, Certificate.FOREVER).build();
        return CertificateCodec.sign(cert, signer);
    }

    static Path write(Path dir, String name, SignedCertificate cert) {
        return writeLine(dir.resolve(name + "-cert.pub"), cert.toOpenSsh(""));
    }

    static Path write(Path dir, String name, SshPublicKey key) {
        return writeLine(dir.resolve(name + ".pub"), key.toOpenSshWithoutComment());
    }

    private static Path writeLine(Path file, String line) {
        try {
            Files.writeString(file, line + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
