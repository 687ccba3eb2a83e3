package dev.keyward.ca.cli;

import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import picocli.CommandLine.Option;

/** The {@code --key URI} option shared by the commands that use a CA key. */
final class KeyOption {
    static final String DESCRIPTION = "CA key: pkcs11:token=<label>;object=<name>?module-path=<.so>"
            + "&pin-source=file:<path> (PIN also from env KEYWARD_PKCS11_PIN) or file:<path> (passphrase from env"
            + " KEYWARD_KEY_PASSPHRASE)";

    @Option(names = "--key", required = true, paramLabel = "URI", description = DESCRIPTION)
    String uri;

    CaSigner open() {
        return open(uri);
    }

    static CaSigner open(String uri) {
        return Signers.open(uri, SecretSource.environment());
    }
}
