package dev.keyward.ca.cli;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.krl.Krl;
import dev.keyward.ca.krl.KrlSpec;
import dev.keyward.ca.krl.KrlWriter;
import dev.keyward.ca.sign.CaSigner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keyward-ca krl}: what {@code ssh-keygen -k} offers, as options. Certificates are revoked per CA section
 * (PROTOCOL.krl section 2): each {@code --key}, {@code --ca} or {@code --any-ca} starts one, and the {@code --serial}
 * and {@code --key-id} after it belong to it. Keys are revoked outright, by blob or by hash (sections 3 and 4).
 */
@Command(name = "krl", description = "Write a KRL (OpenSSH key revocation list): certificates revoked by serial or"
        + " key ID under one or more CAs (or any CA), certificates given as files, and keys revoked outright, by hash"
        + " or by fingerprint. Install it as sshd's RevokedKeys (replace it atomically: sshd refuses every key login"
        + " if the file is missing or corrupt).")
final class KrlCommand implements Callable<Integer> {
    @ArgGroup(exclusive = false, multiplicity = "0..*", heading = "Certificates revoked per CA (each --key, --ca or"
            + " --any-ca starts a section; the --serial and --key-id options after it belong to it):%n")
    List<CaSection> sections = new ArrayList<>();

    @Option(names = "--revoke-key", paramLabel = "FILE.pub", description = "Revoke a public key outright, with"
            + " every certificate for it (repeatable; ssh-keygen's key:).")
    List<Path> revokeKeys = new ArrayList<>();

    @Option(names = "--revoke-key-hash", paramLabel = "FILE.pub", description = "Revoke a public key by the SHA256"
            + " hash of its blob, without listing the key (repeatable; ssh-keygen's sha256:).")
    List<Path> revokeKeyHashes = new ArrayList<>();

    @Option(names = "--revoke-key-sha1", paramLabel = "FILE.pub", description = "Revoke a public key by the SHA1"
            + " hash of its blob (repeatable; ssh-keygen's sha1:).")
    List<Path> revokeKeySha1s = new ArrayList<>();

    @Option(names = "--revoke-fingerprint", paramLabel = "SHA256:...|SHA1:...", description = "Revoke a key by its"
            + " fingerprint as ssh-keygen -l (-E sha1) prints it (repeatable; ssh-keygen's hash:).")
    List<String> fingerprints = new ArrayList<>();

    @Option(names = "--revoke-cert", paramLabel = "CERT.pub", description = "Revoke a certificate: by its serial"
            + " under the CA that signed it, or by its key ID if its serial is 0 (repeatable; as ssh-keygen -k does"
            + " with a certificate). Its signature must verify.")
    List<Path> revokeCerts = new ArrayList<>();

    @Option(names = "--version", paramLabel = "N", defaultValue = "0", description = "KRL version (default: the"
            + " current time in seconds, so newer KRLs have larger versions).")
    String version;

    @Option(names = "--comment", defaultValue = "", description = "Free-form comment stored in the KRL.")
    String comment;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write the KRL"
            + " (replaced atomically).")
    Path output;

    /** Its own help option: the inherited -h/-V pair does not fit beside the KRL's --version. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    /** One certificates section: which CA, then what is revoked under it. */
    static final class CaSection {
        @ArgGroup(exclusive = true, multiplicity = "1")
        WhichCa ca;

        @Option(names = "--serial", paramLabel = "N|A-B", description = "Revoke a serial or an inclusive range"
                + " (repeatable).")
        List<String> serials = new ArrayList<>();

        @Option(names = "--key-id", paramLabel = "ID", description = "Revoke every certificate with this key ID"
                + " (repeatable).")
        List<String> keyIds = new ArrayList<>();
    }

    /** The CA of a section. */
    static final class WhichCa {
        @Option(names = "--key", paramLabel = "URI", description = KeyOption.DESCRIPTION)
        String uri;

        @Option(names = "--ca", paramLabel = "CA.pub", description = "This CA, by its public key file (no token or"
                + " key file needed).")
        Path publicKey;

        @Option(names = "--any-ca", description = "Certificates of any CA (a wildcard section, ssh-keygen -s none).")
        boolean any;
    }

    @Override
    public Integer call() throws IOException {
        long krlVersion = version.equals("0") ? Instant.now().getEpochSecond() : SignCommand.parseSerial(version);
        KrlSpec.Builder b = KrlSpec.builder().version(krlVersion).generatedAt(Instant.now()).comment(comment);
        PublicKeyParser parser = new PublicKeyParser(new KeyPolicy(1024));
        for (CaSection s : sections) {
            KrlSpec.CaBuilder ca = s.ca.any ? b.anyCa() : b.ca(caKey(s.ca, parser));
            for (String serial : s.serials) {
                revokeSerials(ca, serial);
            }
            for (String id : s.keyIds) {
                ca.revokeKeyId(id);
            }
        }
        for (Path p : revokeKeys) {
            b.revokeKey(parser.parseLine(SignCommand.readKey(p)));
        }
        for (Path p : revokeKeyHashes) {
            b.revokeKeyHash(parser.parseLine(SignCommand.readKey(p)));
        }
        for (Path p : revokeKeySha1s) {
            b.revokeKeySha1(parser.parseLine(SignCommand.readKey(p)));
        }
        fingerprints.forEach(b::revokeFingerprint);
        for (Path p : revokeCerts) {
            SignedCertificate cert = readCertificate(p);
            KrlSpec.CaBuilder ca = b.ca(cert.caKey());
            if (cert.certificate().serial() != 0) {
                ca.revokeSerial(cert.certificate().serial());
            } else {
                ca.revokeKeyId(cert.certificate().keyId()); // serial 0 means "no serial": OpenSSH revokes by key ID
            }
        }
        byte[] krl = KrlWriter.write(b.build());
        Krl.parseForInstall(krl); // our own output must pass the check the agent applies before installing
        AtomicFiles.write(output, krl, "rw-r--r--");
        spec.commandLine().getOut().println(output);
        return 0;
    }

    private static SshPublicKey caKey(WhichCa which, PublicKeyParser parser) {
        if (which.publicKey != null) {
            return parser.parseLine(SignCommand.readKey(which.publicKey));
        }
        try (CaSigner signer = KeyOption.open(which.uri)) {
            return signer.publicKey();
        }
    }

    private static void revokeSerials(KrlSpec.CaBuilder ca, String s) {
        int dash = s.indexOf('-');
        if (dash <= 0) {
            ca.revokeSerial(SignCommand.parseSerial(s));
            return;
        }
        long from = SignCommand.parseSerial(s.substring(0, dash));
        long to = SignCommand.parseSerial(s.substring(dash + 1));
        if (Long.compareUnsigned(from, to) > 0) {
            throw new InvalidInputException("serial range " + s + " is backwards");
        }
        ca.revokeSerialRange(from, to);
    }

    private static SignedCertificate readCertificate(Path p) {
        try {
            return CertificateCodec.decodeLine(SignCommand.readKey(p));
        } catch (InvalidInputException e) {
            throw new InvalidInputException(p + " is not a certificate that verifies: " + e.getMessage(), e);
        }
    }
}
