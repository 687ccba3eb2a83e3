package dev.keyward.ca.cli;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", description = "Print a certificate's fields; with --ca, check it was signed by that CA."
        + " The signature is always verified against the CA key inside the certificate.")
final class InspectCommand implements Callable<Integer> {
    @Option(names = "--ca", paramLabel = "CA.pub", description = "Expected CA public key.")
    Path ca;

    @Parameters(index = "0", paramLabel = "CERT.pub")
    Path certFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(certFile)) {
            throw new InvalidInputException("certificate file " + certFile + " does not exist");
        }
        if (Files.size(certFile) > 64 * 1024) {
            throw new InvalidInputException(certFile + " is too large to be a certificate");
        }
        SignedCertificate signed = CertificateCodec.decodeLine(Files.readString(certFile).strip());
        Certificate c = signed.certificate();
        PrintWriter out = spec.commandLine().getOut();
        out.println(certFile + ":");
        out.println("        Type: " + signed.certTypeName() + " " + c.type().label() + " certificate");
        out.println("        Public key: " + c.key().type().displayName() + "-CERT " + c.key().fingerprint());
        out.println("        Signing CA: " + signed.caKey().type().displayName() + " " + signed.caKey().fingerprint()
                + " (using " + signed.signatureAlgorithm() + ")");
        out.println("        Key ID: \"" + c.keyId() + "\"");
        out.println("        Serial: " + Long.toUnsignedString(c.serial()));
        out.println("        Valid: from " + fmt(c.validAfter()) + " to " + fmt(c.validBefore()));
        out.println("        Principals: ");
        c.principals().forEach(p -> out.println("                " + p));
        out.println("        Critical Options: " + (c.criticalOptions().isEmpty() ? "(none)" : ""));
        printOptions(out, c.criticalOptions());
        out.println("        Extensions: " + (c.extensions().isEmpty() ? "(none)" : ""));
        printOptions(out, c.extensions());
        out.println("        Signature: valid");
        if (ca != null) {
            SshPublicKey expected = new PublicKeyParser(new KeyPolicy(1024)).parseLine(SignCommand.readKey(ca));
            if (!expected.equals(signed.caKey())) {
                throw new InvalidInputException("certificate was signed by " + signed.caKey().fingerprint()
                        + ", not by the CA in " + ca + " (" + expected.fingerprint() + ")");
            }
            out.println("        CA: matches " + ca);
        }
        return 0;
    }

    private static void printOptions(PrintWriter out, Map<String, String> options) {
        options.forEach((k, v) -> out.println("                " + k + (v.isEmpty() ? "" : " " + v)));
    }

    private static String fmt(long epoch) {
        if (epoch == 0) {
            return "always";
        }
        if (epoch == -1L) {
            return "forever";
        }
        Instant i = Certificate.FOREVER == epoch ? Instant.MAX : Instant.ofEpochSecond(epoch);
        return i.toString();
    }
}
