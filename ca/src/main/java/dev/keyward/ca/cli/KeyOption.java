package dev.keyward.ca.cli;

import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import picocli.CommandLine.Option;

/** The {@code --key URI} option shared by the commands that use a CA key. */
final class KeyOption {
    @Option(names = "--key", required = true, paramLabel = "URI",
            description = "CA key: pkcs11:token=<label>;object=<name>?module-path=<.so>&pin-source=file:<path>"
                    + " (PIN also from env KEYWARD_PKCS11_PIN) or file:<path> (passphrase from env KEYWARD_KEY_PASSPHRASE)")
    String uri;

    CaSigner open() {
        return Signers.open(uri, SecretSource.environment());
    }
}
