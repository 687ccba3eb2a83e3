package dev.keyward.ca.pkcs11;

import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.SignerException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Finds a signer's key again after its connection to the token was lost, by the reference it was opened with
 * (token label and key name), cheapest step first:
 * <ol>
 * <li>ask the module as it is, in a session of its own and without a SunPKCS11 provider: is the token there, does
 *     it take the PIN, does it hold a private key of that name? If so, open the key through a new connection
 *     ({@link Pkcs11Keys#reopen}), which also checks it is the same key as before;</li>
 * <li>if not, or if the module says the connection is gone, re-initialise the module
 *     ({@link Pkcs11Module#reinitialize}: what makes SoftHSM2 read its token directory again and a network HSM
 *     client connect again) and ask once more;</li>
 * <li>else fail; the signer tries again later.</li>
 * </ol>
 * Asking without a provider first means that the failed attempts of an outage leave no providers (and no pooled
 * sessions) behind. A module is re-initialised at most once per {@link #REINITIALIZE_INTERVAL}: doing so voids
 * the connections of every other key in the module too (they reconnect in milliseconds, but not for nothing).
 */
final class Pkcs11Reconnect {
    /** How long re-initialising waits for signatures in progress. */
    static final Duration DRAIN = Duration.ofSeconds(2);
    static final Duration REINITIALIZE_INTERVAL = Duration.ofSeconds(10);

    private enum Probe { PRESENT, NO_KEY, NO_TOKEN }

    private Pkcs11Reconnect() {
    }

    static Pkcs11Signer.Bound reconnect(Pkcs11Uri uri, SecretSource secrets, SshPublicKey expected,
            Pkcs11Token.Connection lost) {
        Pkcs11Module module = Pkcs11Module.load(uri.modulePath());
        char[] pin = Pkcs11Pin.resolve(uri, secrets); // a missing PIN file is reported as it is, and tried again later
        try {
            return module.exclusive(() -> {
                String first;
                try {
                    Probe p = probe(module, uri, pin);
                    if (p == Probe.PRESENT) {
                        return Pkcs11Keys.reopen(uri, secrets, expected, lost);
                    }
                    first = describe(p, uri);
                } catch (SignerException e) {
                    if (!Pkcs11Errors.connectionLost(e)) {
                        throw e;
                    }
                    first = e.getMessage();
                }
                if (!module.reinitializeAtMostEvery(REINITIALIZE_INTERVAL, DRAIN)) {
                    throw new SignerException(first + " (the PKCS#11 module was re-initialised less than "
                            + REINITIALIZE_INTERVAL.toSeconds() + " s ago; not again yet)");
                }
                Probe p = probe(module, uri, pin);
                if (p != Probe.PRESENT) {
                    throw new SignerException(describe(p, uri) + ", also after re-initialising the PKCS#11 module");
                }
                return Pkcs11Keys.reopen(uri, secrets, expected, lost);
            });
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private static Probe probe(Pkcs11Module module, Pkcs11Uri uri, char[] pin) {
        List<TokenSlots.Slot> slots = TokenSlots.tokens(uri.modulePath()).stream()
                .filter(s -> s.label().equals(uri.token())).toList();
        if (slots.isEmpty()) {
            return Probe.NO_TOKEN;
        }
        if (slots.size() > 1) {
            TokenSlots.resolve(uri.modulePath(), uri.token()); // throws, naming the slots
        }
        try {
            return module.hasPrivateKey(slots.get(0).id(), pin, uri.object()) ? Probe.PRESENT : Probe.NO_KEY;
        } catch (SignerException e) {
            if (Pkcs11Errors.pinRefused(e)) {
                throw Pkcs11Token.loginFailed(uri.token(), e);
            }
            throw e;
        }
    }

    private static String describe(Probe p, Pkcs11Uri uri) {
        return p == Probe.NO_TOKEN ? "no PKCS#11 token labelled '" + uri.token() + "' in " + uri.modulePath()
                : "PKCS#11 token '" + uri.token() + "' has no key named '" + uri.object() + "'";
    }
}
