package dev.keyward.ca.cli;

import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "init", description = "Create a CA key (inside the token for pkcs11: URIs) and print its public key."
        + " Refuses to overwrite an existing key.")
final class InitCommand implements Callable<Integer> {
    @Mixin
    KeyOption key;

    @Option(names = "--algorithm", defaultValue = "ecdsa-p256",
            description = "ecdsa-p256 (default), ecdsa-p384, rsa-3072, rsa-4096, ed25519 (file: keys only)")
    String algorithm;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CaAlgorithm alg = CaAlgorithm.parse(algorithm);
        try (CaSigner signer = Signers.create(key.uri, alg, SecretSource.environment())) {
            spec.commandLine().getOut().println(signer.publicKey().toOpenSsh());
        }
        return 0;
    }
}
