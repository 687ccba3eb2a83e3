package dev.keyward.ca.cli;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.CertOptions;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.cert.Validity;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sign", description = "Sign a public key: writes PUBKEY-cert.pub beside PUBKEY.pub, as ssh-keygen"
        + " does, and prints its path.")
final class SignCommand implements Callable<Integer> {
    @Mixin
    KeyOption key;

    @Option(names = "--type", required = true, description = "user or host")
    String type;

    /** Split on commas only, by {@link #principals()}: picocli's own split would treat double quotes as quoting. */
    @Option(names = "--principals", required = true, paramLabel = "P1,P2", description = "Comma-separated principals"
            + " (user names for user certs, host names for host certs); repeatable.")
    List<String> principals;

    @Option(names = "--key-id", required = true, description = "Key ID (printable, no spaces or parentheses:"
            + " sshd logs it unquoted).")
    String keyId;

    @Option(names = "--serial", required = true, description = "Serial number (unsigned 64-bit).")
    String serial;

    @Option(names = "--validity", required = true, description = "+1h, +30m, +7d, or"
            + " YYYYMMDDHHMMSS:YYYYMMDDHHMMSS (UTC).")
    String validity;

    @Option(names = "--backdate", defaultValue = "2m", description = "With a relative --validity, start this long"
            + " before now for clock skew (default 2m; 0s for none).")
    String backdate;

    @Option(names = "--force-command", description = "Critical option force-command (user certs).")
    String forceCommand;

    @Option(names = "--source-address", description = "Critical option source-address: comma-separated"
            + " addresses or CIDR blocks (user certs).")
    String sourceAddress;

    @Option(names = "--verify-required", description = "Critical option verify-required (FIDO user"
            + " verification; user certs).")
    boolean verifyRequired;

    @Option(names = "--extension", paramLabel = "NAME[=VALUE]", description = "Add an extension (repeatable): a"
            + " standard flag such as permit-pty, or name@your.domain with an optional =value.")
    List<String> extensions = new ArrayList<>();

    @Option(names = "--no-default-extensions", description = "Do not add OpenSSH's default user extensions"
            + " (permit-X11-forwarding, permit-agent-forwarding, permit-port-forwarding, permit-pty, permit-user-rc).")
    boolean noDefaultExtensions;

    @Option(names = "--min-rsa-bits", defaultValue = "2048", description = "Smallest RSA key accepted (default 2048).")
    int minRsaBits;

    @Parameters(index = "0", paramLabel = "PUBKEY.pub", description = "The public key to certify.")
    Path pubkey;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        CertType certType = CertType.parse(type);
        long serialNumber = parseSerial(serial);
        Validity v = Validity.parse(validity, Instant.now(), parseBackdate(backdate));
        SshPublicKey subject = new PublicKeyParser(new dev.keyward.ca.key.KeyPolicy(minRsaBits)).parseLine(readKey(pubkey));
        Certificate.Builder b = Certificate.builder().key(subject).type(certType).serial(serialNumber).keyId(keyId)
                .principals(principals()).validity(v.after(), v.before());
        if (certType == CertType.USER) {
            for (String e : extensions) {
                int eq = e.indexOf('=');
                b.extension(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
            }
            if (!noDefaultExtensions) {
                b.defaultUserExtensions(); // after the explicit ones: it adds only those not named yet
            }
            if (forceCommand != null) {
                b.criticalOption(CertOptions.FORCE_COMMAND, forceCommand);
            }
            if (sourceAddress != null) {
                b.criticalOption(CertOptions.SOURCE_ADDRESS, sourceAddress);
            }
            if (verifyRequired) {
                b.criticalOption(CertOptions.VERIFY_REQUIRED, "");
            }
        } else if (forceCommand != null || sourceAddress != null || verifyRequired || !extensions.isEmpty()) {
            throw new InvalidInputException("host certificates take no critical options or extensions");
        }
        Certificate cert = b.build();
        SignedCertificate signed;
        try (CaSigner signer = key.open()) {
            if (signer.publicKey().equals(subject)) {
                throw new InvalidInputException("refusing to certify the CA's own key");
            }
            signed = CertificateCodec.sign(cert, signer);
        }
        Path out = certPath(pubkey);
        AtomicFiles.write(out, (signed.toOpenSsh(subject.comment()) + "\n").getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        spec.commandLine().getOut().println(out);
        return 0;
    }

    /**
     * The principals, split on commas only: a double quote is an ordinary character here (the principal rules of
     * {@link Certificate.Builder} then decide what is allowed), and an empty entry is refused by those rules.
     */
    List<String> principals() {
        List<String> out = new ArrayList<>();
        for (String p : principals) {
            out.addAll(Arrays.asList(p.split(",", -1)));
        }
        return out;
    }

    static Path certPath(Path pub) {
        String name = pub.getFileName().toString();
        String base = name.endsWith(".pub") ? name.substring(0, name.length() - 4) : name;
        return pub.resolveSibling(base + "-cert.pub");
    }

    static long parseSerial(String s) {
        try {
            return Long.parseUnsignedLong(s.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("serial '" + s + "' is not an unsigned 64-bit number");
        }
    }

    static java.time.Duration parseBackdate(String s) {
        if (s.strip().matches("0+[smhdw]?")) {
            return java.time.Duration.ZERO;
        }
        return Validity.parseDuration(s);
    }

    static String readKey(Path p) {
        try {
            if (!Files.isRegularFile(p)) {
                throw new InvalidInputException("public key file " + p + " does not exist");
            }
            if (Files.size(p) > PublicKeyParser.MAX_INPUT_BYTES) {
                throw new InvalidInputException(p + " is too large to be a public key");
            }
            List<String> lines = Arrays.stream(Files.readString(p, StandardCharsets.UTF_8).split("\n"))
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            if (lines.size() != 1) {
                throw new InvalidInputException(p + " must hold exactly one public key line, found " + lines.size());
            }
            return lines.get(0);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InvalidInputException(p + " is not a text public key file");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + p + ": " + e.getMessage());
        }
    }
}
