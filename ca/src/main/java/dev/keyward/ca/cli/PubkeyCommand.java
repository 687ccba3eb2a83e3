package dev.keyward.ca.cli;

import dev.keyward.ca.sign.CaSigner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "pubkey", description = "Print the CA public key in OpenSSH format (for TrustedUserCAKeys or"
        + " @cert-authority lines).")
final class PubkeyCommand implements Callable<Integer> {
    @Mixin
    KeyOption key;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (CaSigner signer = key.open()) {
            spec.commandLine().getOut().println(signer.publicKey().toOpenSsh());
        }
        return 0;
    }
}
