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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One token as this JVM uses it: its connection (a SunPKCS11 provider bound to the token's slot) and the login.
 * <p>
 * There is one instance per (module, slot) per JVM. A SunPKCS11 provider initialises its module and keeps
 * sessions and object handles for its slot; a second provider for the same slot would duplicate all of that.
 * PKCS#11 login state belongs to the application, not to a session or a provider (all sessions of an
 * application share it; C_Login while logged in returns CKR_USER_ALREADY_LOGGED_IN, which SunPKCS11 treats as
 * success), so a second login with another PIN would not even reach the token. That is why the digest of
 * the PIN that logged in is kept, and a different PIN is refused here as the token would refuse it.
 * <p>
 * <b>Connections.</b> A provider is replaced by a new one ({@link #connectionOtherThan}) when its sessions are
 * gone: SunPKCS11 returns a session that failed with CKR_SESSION_HANDLE_INVALID to its pool and hands it out
 * again, and it notices a lost token by itself only for slots flagged CKF_REMOVABLE_DEVICE (SoftHSM2's and most
 * HSMs' slots are not), so a provider whose sessions the token dropped never works again. A provider made before
 * the module was re-initialised ({@link Pkcs11Module#epoch()}) is replaced too.
 * <p>
 * Instances are thread-safe; everything but reading the current connection runs in
 * {@link Pkcs11Module#exclusive}.
 */
final class Pkcs11Token {
    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Token.class);
    private static final Map<SlotKey, Pkcs11Token> TOKENS = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    private record SlotKey(Path module, long slotId) {
    }

    /** A SunPKCS11 provider for the token, made in module epoch {@code epoch}. */
    record Connection(Provider provider, long epoch) {
    }

    private final Pkcs11Module module;
    private final String label;
    private final long slotId;
    private final boolean hardwareSlot;
    private final byte[] pinSalt = new byte[16];
    private volatile Connection connection;
    private byte[] loggedInPinDigest;
    private long loggedInEpoch;

    private Pkcs11Token(Pkcs11Module module, TokenSlots.Slot slot) {
        this.module = module;
        this.label = slot.label();
        this.slotId = slot.id();
        this.hardwareSlot = hardwareSlot(module, slot);
        RANDOM.nextBytes(pinSalt);
    }

    /**
     * Whether the slot says it is a hardware slot (CKF_HW_SLOT); SoftHSM2's are not. Only a sizing hint for
     * issuance's signing threads ({@link dev.keyward.ca.sign.CaSigner#signsOnHostCpu()}): a module that cannot say is
     * taken for a soft token, which keeps the threads at the number of CPUs.
     */
    private static boolean hardwareSlot(Pkcs11Module module, TokenSlots.Slot slot) {
        try {
            return (module.slotFlags(slot.id()) & Pkcs11Module.CKF_HW_SLOT) != 0;
        } catch (RuntimeException e) {
            LOG.warn("C_GetSlotInfo failed for PKCS#11 token '{}' in {} ({}); sizing issuance's signing threads as"
                    + " for a soft token", slot.label(), module.path(), e.getMessage());
            return false;
        }
    }

    /** Whether the token is in a hardware slot (CKF_HW_SLOT), read when the token was first opened. */
    boolean hardwareSlot() {
        return hardwareSlot;
    }

    /** The token {@code uri} names, with a provider configured but not yet logged in. */
    static Pkcs11Token of(Pkcs11Uri uri) {
        Pkcs11Module module = Pkcs11Module.load(uri.modulePath());
        return module.exclusive(() -> {
            TokenSlots.Slot slot = TokenSlots.resolve(uri.modulePath(), uri.token());
            Pkcs11Token token = TOKENS.computeIfAbsent(new SlotKey(uri.modulePath(), slot.id()),
                    k -> new Pkcs11Token(module, slot));
            token.connection();
            return token;
        });
    }

    String label() {
        return label;
    }

    Pkcs11Module module() {
        return module;
    }

    /** The current connection; a new one if there is none yet or the module was re-initialised since. */
    Connection connection() {
        return module.exclusive(() -> {
            Connection c = connection;
            return c != null && c.epoch() == module.epoch() ? c : connect();
        });
    }

    /**
     * A connection other than {@code lost}: the current one if another key of this token already reconnected,
     * else a new one.
     */
    Connection connectionOtherThan(Connection lost) {
        return module.exclusive(() -> {
            Connection c = connection;
            return c != null && c != lost && c.epoch() == module.epoch() ? c : connect();
        });
    }

    private Connection connect() {
        TokenSlots.Slot slot = TokenSlots.resolve(module.path(), label);
        if (slot.id() != slotId) {
            throw new SignerException("PKCS#11 token '" + label + "' is now in slot " + Long.toUnsignedString(slot.id())
                    + ", not " + Long.toUnsignedString(slotId) + " (re-initialised?)");
        }
        Provider template = Security.getProvider("SunPKCS11");
        if (template == null) {
            throw new SignerException("this JVM has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
        }
        Provider provider;
        try {
            provider = template.configure(SunPkcs11Config.forSlot(module.path(), slot));
        } catch (RuntimeException e) {
            throw new SignerException("cannot configure SunPKCS11 for token '" + label + "' in " + module.path() + ": "
                    + e.getMessage(), e);
        }
        // SunPKCS11 takes a slot list index; make sure the list did not change under us (a token plugged in).
        TokenSlots.Slot again = TokenSlots.resolve(module.path(), label);
        if (!again.equals(slot)) {
            throw new SignerException("the slots of PKCS#11 module " + module.path() + " changed while opening"
                    + " token '" + label + "'; try again");
        }
        Connection previous = connection;
        if (previous != null) {
            module.retire(previous.provider());
        }
        Connection c = new Connection(provider, module.epoch());
        connection = c;
        return c;
    }

    /** Logs in through the current connection: see {@link #login(Connection, char[])}. */
    KeyStore login(char[] pin) {
        return login(connection(), pin);
    }

    /**
     * Logs in with {@code pin} (unless this JVM is logged in already with the same PIN) and returns the
     * token's key store as {@code c} sees it, freshly loaded. Never retries: a token locks its user PIN after a
     * few failures.
     */
    KeyStore login(Connection c, char[] pin) {
        return module.exclusive(() -> {
            byte[] digest = digest(pin);
            if (loggedInPinDigest != null && loggedInEpoch == c.epoch()
                    && !MessageDigest.isEqual(loggedInPinDigest, digest)) {
                throw wrongPin();
            }
            try {
                KeyStore ks = KeyStore.getInstance("PKCS11", c.provider());
                ks.load(null, pin);
                loggedInPinDigest = digest;
                loggedInEpoch = c.epoch();
                return ks;
            } catch (IOException e) {
                throw loginFailed(label, e);
            } catch (GeneralSecurityException e) {
                throw new SignerException("cannot open the key store of PKCS#11 token '" + label + "': "
                        + e.getMessage(), e);
            }
        });
    }

    /**
     * The error for a failed C_Login: a user error for a PIN the token refuses (carrying the PKCS#11 return value,
     * so that nobody retries it), else a signer error.
     */
    static RuntimeException loginFailed(String label, Exception e) {
        long rv = Pkcs11Module.returnCode(e).orElse(-1);
        if (rv == Pkcs11Errors.CKR_PIN_LOCKED) {
            return new InvalidInputException("PKCS#11 token '" + label + "' is locked after too many wrong PINs;"
                    + " its security officer must reset the user PIN", e);
        }
        if (Pkcs11Errors.pinRefused(rv)) {
            return new InvalidInputException("PKCS#11 login to token '" + label + "' failed: wrong PIN?", e);
        }
        return new SignerException("PKCS#11 login to token '" + label + "' failed: " + rootMessage(e), e);
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
