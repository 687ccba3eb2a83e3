package dev.keyward.ca.pkcs11;

import java.util.Map;
import java.util.OptionalLong;

/**
 * The PKCS#11 return values (CK_RV, PKCS#11 base specification v2.40 and v3.0, section 5.1 "Function return
 * values") that Keyward acts on, read by code from the exception chain, never from message text.
 * <p>
 * Two families matter to a signer:
 * <ul>
 * <li><b>the connection is gone</b>: the session, the object handle, the login or the device itself went away
 *     (a network HSM dropped the session, the token was pulled or restarted, its files disappeared). Logging in
 *     again and finding the key again by name can cure these, so the signer reconnects;</li>
 * <li><b>the PIN was refused</b>: never retried on its own, since every wrong attempt counts towards the token
 *     locking its user PIN.</li>
 * </ul>
 * Everything else (bad mechanism, key not allowed to sign, data length, ...) is reported as it is and not retried.
 */
final class Pkcs11Errors {
    static final long CKR_GENERAL_ERROR = 0x05;
    static final long CKR_DEVICE_ERROR = 0x30;
    static final long CKR_DEVICE_REMOVED = 0x32;
    static final long CKR_KEY_HANDLE_INVALID = 0x60;
    static final long CKR_OBJECT_HANDLE_INVALID = 0x82;
    static final long CKR_PIN_INCORRECT = 0xA0;
    static final long CKR_PIN_INVALID = 0xA1;
    static final long CKR_PIN_LEN_RANGE = 0xA2;
    static final long CKR_PIN_EXPIRED = 0xA3;
    static final long CKR_PIN_LOCKED = 0xA4;
    static final long CKR_SESSION_CLOSED = 0xB0;
    static final long CKR_SESSION_HANDLE_INVALID = 0xB3;
    static final long CKR_TOKEN_NOT_PRESENT = 0xE0;
    static final long CKR_TOKEN_NOT_RECOGNIZED = 0xE1;
    static final long CKR_USER_ALREADY_LOGGED_IN = 0x100;
    static final long CKR_USER_NOT_LOGGED_IN = 0x101;
    static final long CKR_CRYPTOKI_NOT_INITIALIZED = 0x190;

    private static final Map<Long, String> NAMES = Map.ofEntries(
            Map.entry(CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"),
            Map.entry(CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"),
            Map.entry(CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"),
            Map.entry(CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID"),
            Map.entry(CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID"),
            Map.entry(CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"),
            Map.entry(CKR_PIN_INVALID, "CKR_PIN_INVALID"),
            Map.entry(CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE"),
            Map.entry(CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED"),
            Map.entry(CKR_PIN_LOCKED, "CKR_PIN_LOCKED"),
            Map.entry(CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED"),
            Map.entry(CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"),
            Map.entry(CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"),
            Map.entry(CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED"),
            Map.entry(CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN"),
            Map.entry(CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"),
            Map.entry(CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"));

    private Pkcs11Errors() {
    }

    /**
     * Whether {@code rv} says the session, handle, login or device is gone. CKR_GENERAL_ERROR is among them: the
     * specification says the module may then be in an inconsistent state, which only re-initialising it cures.
     */
    static boolean connectionLost(long rv) {
        return rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED
                || rv == CKR_OBJECT_HANDLE_INVALID || rv == CKR_KEY_HANDLE_INVALID
                || rv == CKR_USER_NOT_LOGGED_IN
                || rv == CKR_DEVICE_ERROR || rv == CKR_DEVICE_REMOVED
                || rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_TOKEN_NOT_RECOGNIZED
                || rv == CKR_CRYPTOKI_NOT_INITIALIZED || rv == CKR_GENERAL_ERROR;
    }

    /** Whether the first PKCS#11 return value in {@code e}'s cause chain says the connection is gone. */
    static boolean connectionLost(Throwable e) {
        OptionalLong rv = Pkcs11Module.returnCode(e);
        return rv.isPresent() && connectionLost(rv.getAsLong());
    }

    /** Whether {@code rv} is the token refusing the PIN (wrong, malformed, expired or locked). */
    static boolean pinRefused(long rv) {
        return rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE || rv == CKR_PIN_EXPIRED
                || rv == CKR_PIN_LOCKED;
    }

    /** Whether the first PKCS#11 return value in {@code e}'s cause chain is the token refusing the PIN. */
    static boolean pinRefused(Throwable e) {
        OptionalLong rv = Pkcs11Module.returnCode(e);
        return rv.isPresent() && pinRefused(rv.getAsLong());
    }

    /** The CKR_ name of {@code rv} for messages, or its value in hex when it is not one of those above. */
    static String name(long rv) {
        String n = NAMES.get(rv);
        return n != null ? n : "CKR 0x" + Long.toHexString(rv).toUpperCase(java.util.Locale.ROOT);
    }
}
