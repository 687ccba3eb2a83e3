package dev.keyward.ca.cli;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "krl", description = "Write a KRL (OpenSSH key revocation list) for this CA: revoked serials,"
        + " key IDs and keys. Install it as sshd's RevokedKeys (replace it atomically: sshd refuses every key"
        + " login if the file is missing or corrupt).")
final class KrlCommand implements Callable<Integer> {
    @Mixin
    KeyOption key;

    @Option(names = "--serial", paramLabel = "N|A-B", description = "Revoke a serial or an inclusive range (repeatable).")
    List<String> serials = new ArrayList<>();

    @Option(names = "--key-id", paramLabel = "ID", description = "Revoke every certificate with this key ID (repeatable).")
    List<String> keyIds = new ArrayList<>();

    @Option(names = "--revoke-key", paramLabel = "FILE.pub", description = "Revoke a public key outright, with"
            + " every certificate for it (repeatable).")
    List<Path> revokeKeys = new ArrayList<>();

    @Option(names = "--version", paramLabel = "N", defaultValue = "0", description = "KRL version (default: the"
            + " current time in seconds, so newer KRLs have larger versions).")
    String version;

    @Option(names = "--comment", defaultValue = "", description = "Free-form comment stored in the KRL.")
    String comment;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write the KRL"
            + " (replaced atomically).")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        long krlVersion = version.equals("0") ? Instant.now().getEpochSecond() : SignCommand.parseSerial(version);
        KrlSpec.Builder b = KrlSpec.builder().version(krlVersion).generatedAt(Instant.now()).comment(comment);
        PublicKeyParser parser = new PublicKeyParser(new KeyPolicy(1024));
        try (CaSigner signer = key.open()) {
            KrlSpec.CaBuilder ca = b.ca(signer.publicKey().withComment(""));
            for (String s : serials) {
                int dash = s.indexOf('-');
                if (dash > 0) {
                    long from = SignCommand.parseSerial(s.substring(0, dash));
                    long to = SignCommand.parseSerial(s.substring(dash + 1));
                    if (Long.compareUnsigned(from, to) > 0) {
                        throw new InvalidInputException("serial range " + s + " is backwards");
                    }
                    ca.revokeSerialRange(from, to);
                } else {
                    ca.revokeSerial(SignCommand.parseSerial(s));
                }
            }
            for (String id : keyIds) {
                ca.revokeKeyId(id);
            }
        }
        for (Path p : revokeKeys) {
            b.revokeKey(parser.parseLine(SignCommand.readKey(p)));
        }
        byte[] krl = KrlWriter.write(b.build());
        Krl.parseForInstall(krl); // our own output must pass the check the agent applies before installing
        AtomicFiles.write(output, krl, "rw-r--r--");
        spec.commandLine().getOut().println(output);
        return 0;
    }
}
