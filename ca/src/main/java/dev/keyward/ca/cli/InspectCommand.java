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
        + " The signature is always verified against the CA key inside the certificate. Any certificate OpenSSH reads"
        + " is shown; what Keyward would not issue (a key ID with spaces, no principals, an unknown critical option,"
        + " ...) is listed under Warnings.")
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
        if (Files.size(certFile) > CertificateCodec.MAX_CERT_BYTES * 2L) {
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
        out.println("        Key ID: \"" + visible(c.keyId()) + "\"");
        out.println("        Serial: " + Long.toUnsignedString(c.serial()));
        out.println("        Valid: from " + fmt(c.validAfter()) + " to " + fmt(c.validBefore()));
        out.println("        Principals: " + (c.principals().isEmpty() ? "(none)" : ""));
        c.principals().forEach(p -> out.println("                " + visible(p)));
        out.println("        Critical Options: " + (c.criticalOptions().isEmpty() ? "(none)" : ""));
        printOptions(out, c.criticalOptions());
        out.println("        Extensions: " + (c.extensions().isEmpty() ? "(none)" : ""));
        printOptions(out, c.extensions());
        out.println("        Signature: valid");
        if (!c.warnings().isEmpty()) {
            out.println("        Warnings: Keyward would not issue this certificate:");
            c.warnings().forEach(w -> out.println("                " + visible(w)));
        }
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
        options.forEach((k, v) -> out.println("                " + visible(k) + (v.isEmpty() ? "" : " " + visible(v))));
    }

    /** Control characters as \xNN, so a hostile certificate cannot drive the terminal. */
    static String visible(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp) || cp == 0x7f) {
                sb.append(String.format("\\x%02x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    private static String fmt(long epoch) {
        if (epoch == 0) {
            return "always";
        }
        if (epoch == -1L) {
            return "forever";
        }
        // unsigned seconds: anything past what Instant holds (including 2^63 and up) shows as Instant.MAX
        boolean beyond = epoch < 0 || epoch > Instant.MAX.getEpochSecond();
        return (beyond ? Instant.MAX : Instant.ofEpochSecond(epoch)).toString();
    }
}
