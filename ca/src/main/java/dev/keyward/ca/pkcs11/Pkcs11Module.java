package dev.keyward.ca.pkcs11;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.SignerException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The few calls into the JDK's own PKCS#11 wrapper ({@code sun.security.pkcs11.wrapper.PKCS11}) that
 * SunPKCS11 does not offer: listing slots and reading token labels, and reading a PKCS#11 return code.
 * <p>
 * The wrapper is reached by reflection because {@code javac --release 21} compiles against the exported API
 * only and cannot be given access to a JDK-internal package. At run time the package must be exported to
 * Keyward: {@code --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED} (the test
 * configuration and the CLI jar's {@code Add-Exports} manifest entry do that).
 * <p>
 * {@code PKCS11.getInstance} keeps one wrapper per module path per JVM, shared with every SunPKCS11 provider
 * for that module: the module is initialised (C_Initialize) once. Note that some modules, SoftHSM2 among them,
 * read their token list at C_Initialize only: a token created later by another process stays invisible to
 * this JVM.
 */
final class Pkcs11Module {
    private static final String WRAPPER = "sun.security.pkcs11.wrapper.";
    /** CKF_OS_LOCKING_OK (PKCS#11 base specification, C_Initialize): the module may use OS locking. */
    private static final long CKF_OS_LOCKING_OK = 0x2;
    /** CKF_TOKEN_INITIALIZED (CK_TOKEN_INFO.flags). */
    static final long CKF_TOKEN_INITIALIZED = 0x400;

    private final Path path;
    private final Object p11;

    private Pkcs11Module(Path path, Object p11) {
        this.path = path;
        this.p11 = p11;
    }

    /** A token's label (without its blank padding) and its CK_TOKEN_INFO.flags. */
    record TokenInfo(String label, long flags) {
    }

    /** The JVM-wide wrapper for the module at {@code path}, initialised the way SunPKCS11 initialises it. */
    static Pkcs11Module load(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException("PKCS#11 module " + path + " does not exist (module-path in the PKCS#11 URI)");
        }
        try {
            Class<?> argsClass = Class.forName(WRAPPER + "CK_C_INITIALIZE_ARGS");
            Object args = argsClass.getConstructor().newInstance();
            // Same arguments as SunPKCS11 passes, so whichever comes first creates the instance the other
            // expects: the module is called from several threads and does its own locking.
            argsClass.getField("flags").setLong(args, CKF_OS_LOCKING_OK);
            Method getInstance = wrapperClass().getMethod("getInstance", String.class, String.class, argsClass,
                    boolean.class);
            return new Pkcs11Module(path, getInstance.invoke(null, path.toString(), "C_GetFunctionList", args, false));
        } catch (InvocationTargetException e) {
            throw new InvalidInputException("cannot load PKCS#11 module " + path + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(e);
        }
    }

    /** C_GetSlotList: the slot IDs, all of them or only those with a token present. */
    long[] slotList(boolean tokenPresent) {
        return (long[]) call("C_GetSlotList", new Class<?>[] {boolean.class}, tokenPresent);
    }

    /** C_GetTokenInfo for one slot. */
    TokenInfo tokenInfo(long slotId) {
        Object info = call("C_GetTokenInfo", new Class<?>[] {long.class}, slotId);
        try {
            Class<?> c = info.getClass();
            return new TokenInfo(label((char[]) c.getField("label").get(info)), c.getField("flags").getLong(info));
        } catch (ReflectiveOperationException e) {
            throw inaccessible(e);
        }
    }

    /** The PKCS#11 return code (CKR_*) of the first PKCS11Exception in {@code e}'s cause chain. */
    static OptionalLong returnCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals(WRAPPER + "PKCS11Exception")) {
                try {
                    return OptionalLong.of((long) t.getClass().getMethod("getErrorCode").invoke(t));
                } catch (ReflectiveOperationException | RuntimeException ignored) {
                    return OptionalLong.empty(); // the caller then reports the failure without its code
                }
            }
        }
        return OptionalLong.empty();
    }

    private Object call(String name, Class<?>[] types, Object... args) {
        try {
            // Looked up on the public class: the instance may be a non-public subclass (SynchronizedPKCS11).
            return wrapperClass().getMethod(name, types).invoke(p11, args);
        } catch (InvocationTargetException e) {
            throw new SignerException(name + " failed in PKCS#11 module " + path + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(e);
        }
    }

    private static Class<?> wrapperClass() throws ClassNotFoundException {
        return Class.forName(WRAPPER + "PKCS11");
    }

    private static SignerException inaccessible(Exception e) {
        return new SignerException("cannot use the JDK's PKCS#11 wrapper; start Java with"
                + " --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED (" + e + ")", e);
    }

    /**
     * CK_TOKEN_INFO.label is 32 bytes of UTF-8, padded with blanks. The wrapper widens each byte to a char, so
     * narrow them back before decoding.
     */
    private static String label(char[] padded) {
        byte[] bytes = new byte[padded.length];
        for (int i = 0; i < padded.length; i++) {
            bytes[i] = (byte) padded[i];
        }
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == ' ' || bytes[end - 1] == 0)) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
