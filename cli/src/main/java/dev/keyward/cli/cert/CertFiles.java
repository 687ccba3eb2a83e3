package dev.keyward.cli.cert;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The certificate file beside a private key: {@code <key>-cert.pub}, where ssh and ssh-add look for it. */
public final class CertFiles {
    private CertFiles() {
    }

    public static Path certPath(Path privateKey) {
        return privateKey.resolveSibling(privateKey.getFileName() + "-cert.pub");
    }

    /** Writes the certificate line by temp file + fsync + rename, mode 0644 (like ssh-keygen's -cert.pub). */
    public static void write(Path privateKey, SignedCertificate cert, String comment) throws IOException {
        String line = cert.toOpenSsh(comment) + "\n";
        AtomicFiles.write(certPath(privateKey), line.getBytes(StandardCharsets.US_ASCII), "rw-r--r--");
    }

    /** The certificate beside {@code privateKey}, decoded and signature-checked; empty if there is no file. */
    public static Optional<SignedCertificate> read(Path privateKey) {
        Path file = certPath(privateKey);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            if (Files.size(file) > 64 * 1024) {
                throw new InvalidInputException(file + " is too large to be a certificate");
            }
            return Optional.of(CertificateCodec.decodeLine(Files.readString(file, StandardCharsets.UTF_8).strip()));
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + e.getMessage());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(file + " is not a valid certificate: " + e.getMessage());
        }
    }
}
