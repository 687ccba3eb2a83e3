package dev.keyward.ca.pkcs11;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.SignerException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token as this JVM uses it: a SunPKCS11 provider bound to the token's slot, and the login.
 * <p>
 * There is one instance per (module, slot) per JVM. A SunPKCS11 provider initialises its module and keeps
 * sessions and object handles for its slot; a second provider for the same slot would duplicate all of that.
 * PKCS#11 login state belongs to the application, not to a session or a provider (all sessions of an
 * application share it; C_Login while logged in returns CKR_USER_ALREADY_LOGGED_IN, which SunPKCS11 treats as
 * success), so a second login with another PIN would not even reach the token. That is why the digest of
 * the PIN that logged in is kept, and a different PIN is refused here as the token would refuse it.
 * <p>
 * Instances are thread-safe. Key-store changes (generate, destroy) hold the instance's monitor, which
 * serialises them per token.
 */
final class Pkcs11Token {
    private static final Map<SlotKey, Pkcs11Token> TOKENS = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();
    // C_Login return values (CK_RV, PKCS#11 base specification)
    private static final long CKR_PIN_INCORRECT = 0xA0;
    private static final long CKR_PIN_INVALID = 0xA1;
    private static final long CKR_PIN_LEN_RANGE = 0xA2;
    private static final long CKR_PIN_LOCKED = 0xA4;

    private record SlotKey(Path module, long slotId) {
    }

    private final String label;
    private final Provider provider;
    private final byte[] pinSalt = new byte[16];
    private byte[] loggedInPinDigest;

    private Pkcs11Token(String label, Provider provider) {
        this.label = label;
        this.provider = provider;
        RANDOM.nextBytes(pinSalt);
    }

    /** The token {@code uri} names, with its provider configured but not yet logged in. */
    static Pkcs11Token of(Pkcs11Uri uri) {
        TokenSlots.Slot slot = TokenSlots.resolve(uri.modulePath(), uri.token());
        return TOKENS.computeIfAbsent(new SlotKey(uri.modulePath(), slot.id()), k -> configure(uri, slot));
    }

    private static Pkcs11Token configure(Pkcs11Uri uri, TokenSlots.Slot slot) {
        Provider template = Security.getProvider("SunPKCS11");
        if (template == null) {
            throw new SignerException("this JVM has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
        }
        Provider provider;
        try {
            provider = template.configure(SunPkcs11Config.forSlot(uri.modulePath(), slot));
        } catch (RuntimeException e) {
            throw new SignerException("cannot configure SunPKCS11 for token '" + slot.label() + "' in "
                    + uri.modulePath() + ": " + e.getMessage(), e);
        }
        // SunPKCS11 takes a slot list index; make sure the list did not change under us (a token plugged in).
        TokenSlots.Slot again = TokenSlots.resolve(uri.modulePath(), uri.token());
        if (!again.equals(slot)) {
            throw new SignerException("the slots of PKCS#11 module " + uri.modulePath() + " changed while opening"
                    + " token '" + slot.label() + "'; try again");
        }
        return new Pkcs11Token(slot.label(), provider);
    }

    String label() {
        return label;
    }

    Provider provider() {
        return provider;
    }

    /**
     * Logs in with {@code pin} (unless this JVM is logged in already with the same PIN) and returns the
     * token's key store, freshly loaded. Never retries: a token locks its user PIN after a few failures.
     */
    synchronized KeyStore login(char[] pin) {
        byte[] digest = digest(pin);
        if (loggedInPinDigest != null && !MessageDigest.isEqual(loggedInPinDigest, digest)) {
            throw wrongPin();
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS11", provider);
            ks.load(null, pin);
            loggedInPinDigest = digest;
            return ks;
        } catch (IOException e) {
            long rv = Pkcs11Module.returnCode(e).orElse(-1);
            if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE) {
                throw wrongPin();
            }
            if (rv == CKR_PIN_LOCKED) {
                throw new InvalidInputException("PKCS#11 token '" + label + "' is locked after too many wrong PINs;"
                        + " its security officer must reset the user PIN");
            }
            throw new SignerException("PKCS#11 login to token '" + label + "' failed: " + rootMessage(e), e);
        } catch (GeneralSecurityException e) {
            throw new SignerException("cannot open the key store of PKCS#11 token '" + label + "': "
                    + e.getMessage(), e);
        }
    }

    private InvalidInputException wrongPin() {
        return new InvalidInputException("PKCS#11 login to token '" + label + "' failed: wrong PIN?");
    }

    /** {@code pin} is in the one-byte-per-char form of {@link Pkcs11Pin#forSunPkcs11(byte[])}. */
    private byte[] digest(char[] pin) {
        byte[] bytes = new byte[pin.length];
        for (int i = 0; i < pin.length; i++) {
            bytes[i] = (byte) pin[i];
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(pinSalt);
            return md.digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
