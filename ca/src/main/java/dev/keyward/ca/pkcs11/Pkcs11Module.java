package dev.keyward.ca.pkcs11;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.SignerException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * A PKCS#11 module as this JVM uses it, and the few calls into the JDK's own PKCS#11 wrapper
 * ({@code sun.security.pkcs11.wrapper.PKCS11}) that SunPKCS11 does not offer: listing slots and reading token
 * labels, reading a PKCS#11 return code, looking a key up without a provider, and re-initialising the module.
 * <p>
 * The wrapper is reached by reflection because {@code javac --release 21} compiles against the exported API
 * only and cannot be given access to a JDK-internal package. At run time the package must be exported and
 * opened to Keyward ({@code --add-exports} and
 * {@code --add-opens=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED}; the test configuration and the
 * jars' {@code Add-Exports}/{@code Add-Opens} manifest entries do that): C_Initialize is not public.
 * <p>
 * {@code PKCS11.getInstance} keeps one wrapper per module path per JVM, shared with every SunPKCS11 provider
 * for that module: the module is initialised (C_Initialize) once. Note that some modules, SoftHSM2 among them,
 * read their token list at C_Initialize only: a token created later by another process stays invisible to
 * this JVM.
 * <p>
 * <b>Re-initialising.</b> SoftHSM2 2.6 marks a token and its objects invalid for good once the token's directory
 * cannot be read, and never reads them again while the module stays initialised: after the directory is back,
 * every handle gives CKR_OBJECT_HANDLE_INVALID and a search finds no keys. Only C_Finalize + C_Initialize (what a
 * process restart does) reads the token directory again; network HSM clients likewise reconnect at C_Initialize.
 * PKCS#11 leaves C_Finalize undefined while other threads are inside the module, and after it every session and
 * object handle the JVM holds is void (and the module may hand the same numbers out again). So:
 * <ul>
 * <li>every use of the module other than signing runs in {@link #exclusive}, which re-initialising also holds;</li>
 * <li>signing brackets its calls with {@link #enter()}/{@link #exit()} (one atomic counter, never a lock) and
 *     uses its handles only while {@link #epoch()} is the one they were obtained in; re-initialising raises the
 *     epoch first, then waits for the counter to reach zero;</li>
 * <li>SunPKCS11 providers made before a re-initialisation are kept reachable ({@link #retire}): if they were
 *     collected, SunPKCS11's cleaner thread would close their pooled sessions by number, and those numbers may by
 *     then belong to sessions of the new providers; likewise the session objects key generation leaves
 *     ({@link #pin}).</li>
 * </ul>
 * SunPKCS11's own threads are what this cannot hold back while the module re-initialises: the cleaner (with what
 * it could clean kept reachable, it finds nothing of Keyward's) and, for slots flagged removable while their token
 * is out, the poller that waits for it to return.
 */
final class Pkcs11Module {
    private static final String WRAPPER = "sun.security.pkcs11.wrapper.";
    /** CKF_OS_LOCKING_OK (PKCS#11 base specification, C_Initialize): the module may use OS locking. */
    private static final long CKF_OS_LOCKING_OK = 0x2;
    /** CKF_TOKEN_INITIALIZED (CK_TOKEN_INFO.flags). */
    static final long CKF_TOKEN_INITIALIZED = 0x400;

    /** CKF_SERIAL_SESSION (C_OpenSession): the only kind of session PKCS#11 v2.x allows. */
    private static final long CKF_SERIAL_SESSION = 0x4;
    private static final long CKU_USER = 1;
    private static final long CKA_CLASS = 0x0;
    /** CK_SLOT_INFO.flags: a hardware slot, "as opposed to a software slot implementing a soft token". */
    static final long CKF_HW_SLOT = 0x4;
    private static final long CKA_ID = 0x102;
    private static final long CKO_PRIVATE_KEY = 0x3;
    private static final long CKA_TOKEN = 0x1;
    private static final long CKA_PRIVATE = 0x2;
    private static final long CKA_SENSITIVE = 0x103;
    private static final long CKA_EXTRACTABLE = 0x162;
    private static final long CKA_LOCAL = 0x163;
    private static final long CKA_NEVER_EXTRACTABLE = 0x164;
    private static final long CKA_ALWAYS_SENSITIVE = 0x165;
    /** Superseded providers kept reachable (see the class comment); older ones are let go. */
    private static final int RETIRED_KEPT = 16;
    private static final Map<Path, Pkcs11Module> MODULES = new ConcurrentHashMap<>();

    private final Path path;
    private final Object p11;
    private volatile long epoch;
    private long lastReinitialized;
    private boolean reinitialized;
    private final AtomicLong signing = new AtomicLong();
    private final Deque<Object> retired = new ArrayDeque<>();
    private final List<Object> pinned = new ArrayList<>();

    private Pkcs11Module(Path path, Object p11) {
        this.path = path;
        this.p11 = p11;
    }

    /** A token's label (without its blank padding) and its CK_TOKEN_INFO.flags. */
    record TokenInfo(String label, long flags) {
    }

    /** The JVM-wide module at {@code path}, initialised the way SunPKCS11 initialises it. */
    static Pkcs11Module load(Path path) {
        Pkcs11Module loaded = MODULES.get(path);
        if (loaded != null) {
            return loaded;
        }
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException("PKCS#11 module " + path + " does not exist (module-path in the PKCS#11 URI)");
        }
        return MODULES.computeIfAbsent(path, p -> new Pkcs11Module(p, wrapper(p)));
    }

    private static Object wrapper(Path path) {
        try {
            Class<?> argsClass = Class.forName(WRAPPER + "CK_C_INITIALIZE_ARGS");
            Method getInstance = wrapperClass().getMethod("getInstance", String.class, String.class, argsClass,
                    boolean.class);
            return getInstance.invoke(null, path.toString(), "C_GetFunctionList", initializeArgs(), false);
        } catch (InvocationTargetException e) {
            throw new InvalidInputException("cannot load PKCS#11 module " + path + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(e);
        }
    }

    /**
     * Same arguments as SunPKCS11 passes, so whichever comes first creates the instance the other expects: the
     * module is called from several threads and does its own locking.
     */
    private static Object initializeArgs() throws ReflectiveOperationException {
        Class<?> argsClass = Class.forName(WRAPPER + "CK_C_INITIALIZE_ARGS");
        Object args = argsClass.getConstructor().newInstance();
        argsClass.getField("flags").setLong(args, CKF_OS_LOCKING_OK);
        return args;
    }

    Path path() {
        return path;
    }

    /** Runs {@code action} while nothing else uses the module except signing (see the class comment). */
    synchronized <T> T exclusive(Supplier<T> action) {
        return action.get();
    }

    /** How many times the module was re-initialised in this JVM: handles are valid only in their own epoch. */
    long epoch() {
        return epoch;
    }

    /** A signature is about to use handles of the current epoch (check {@link #epoch()} after this). */
    void enter() {
        signing.incrementAndGet();
    }

    /** The signature begun with {@link #enter()} is done with the module. */
    void exit() {
        signing.decrementAndGet();
    }

    /**
     * C_Finalize, then C_Initialize: the module forgets every session, handle and login, and reads its tokens
     * again. Raises the epoch first (so no new signature starts with old handles), then waits up to {@code drain}
     * for signatures in progress; if they do not finish, the module is left as it is and this throws.
     */
    synchronized void reinitialize(Duration drain) {
        epoch++;
        long deadline = System.nanoTime() + drain.toNanos();
        while (signing.get() != 0) {
            if (System.nanoTime() > deadline) {
                throw new SignerException("PKCS#11 module " + path + " is still busy signing after " + drain.toMillis()
                        + " ms; not re-initialised this time");
            }
            LockSupport.parkNanos(1_000_000);
        }
        try {
            call("C_Finalize", new Class<?>[] {Object.class}, (Object) null);
        } catch (SignerException e) {
            // CKR_CRYPTOKI_NOT_INITIALIZED after a C_Initialize that failed last time; anything else leaves
            // nothing better to do than to initialise again
        }
        try {
            Method init = wrapperClass().getDeclaredMethod("C_Initialize", Object.class);
            init.setAccessible(true);
            init.invoke(p11, initializeArgs());
        } catch (InvocationTargetException e) {
            throw new SignerException("C_Initialize failed in PKCS#11 module " + path + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(e);
        }
    }

    /**
     * {@link #reinitialize}s unless that was done less than {@code interval} ago (then returns false): a module
     * that was just re-initialised would read the same tokens again.
     */
    synchronized boolean reinitializeAtMostEvery(Duration interval, Duration drain) {
        long now = System.nanoTime();
        if (reinitialized && now - lastReinitialized < interval.toNanos()) {
            return false;
        }
        reinitialized = true;
        lastReinitialized = now;
        reinitialize(drain);
        return true;
    }

    /** Keeps a superseded SunPKCS11 provider reachable (see the class comment); the oldest beyond a few are let go. */
    synchronized void retire(Object provider) {
        retired.addLast(provider);
        while (retired.size() > RETIRED_KEPT) {
            retired.removeFirst();
        }
    }

    /**
     * Keeps an object SunPKCS11 created in the token reachable for the life of the JVM. SunPKCS11 destroys a
     * session object (C_DestroyObject by handle) when its Java key is collected; after a re-initialisation that
     * handle number may name another object, even a CA key. Key generation leaves such an object (the public key).
     */
    synchronized void pin(Object sessionObject) {
        pinned.add(sessionObject);
    }

    /**
     * Whether the token in {@code slotId} holds a private key whose CKA_ID is {@code id} (the name SunPKCS11's key
     * store gives it), asked in a session of its own that is closed again, with no SunPKCS11 provider involved.
     * Logs in with {@code pin} unless this JVM is logged in already. Throws with the PKCS#11 return value in the
     * cause when the module fails.
     */
    boolean hasPrivateKey(long slotId, char[] pin, String id) {
        return inUserSession(slotId, pin, session -> findPrivateKey(session, id).isPresent());
    }

    /**
     * The protection attributes of the private key whose CKA_ID is {@code id}, as the token reports them
     * (C_GetAttributeValue in a session of its own); empty if there is no such key.
     */
    Optional<KeyAttributes> privateKeyAttributes(long slotId, char[] pin, String id) {
        return inUserSession(slotId, pin, session -> {
            OptionalLong handle = findPrivateKey(session, id);
            if (handle.isEmpty()) {
                return Optional.empty();
            }
            long[] types = {CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, CKA_ALWAYS_SENSITIVE, CKA_EXTRACTABLE,
                CKA_NEVER_EXTRACTABLE, CKA_LOCAL};
            try {
                Class<?> attr = Class.forName(WRAPPER + "CK_ATTRIBUTE");
                Object template = Array.newInstance(attr, types.length);
                for (int i = 0; i < types.length; i++) {
                    Array.set(template, i, attr.getConstructor(long.class).newInstance(types[i]));
                }
                call("C_GetAttributeValue", new Class<?>[] {long.class, long.class, template.getClass()}, session,
                        handle.getAsLong(), template);
                boolean[] v = new boolean[types.length];
                for (int i = 0; i < types.length; i++) {
                    v[i] = (boolean) attr.getMethod("getBoolean").invoke(Array.get(template, i));
                }
                return Optional.of(new KeyAttributes(v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
            } catch (InvocationTargetException e) {
                throw new SignerException("cannot read the attributes of key '" + id + "' in PKCS#11 module " + path
                        + ": " + e.getCause().getMessage(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw inaccessible(e);
            }
        });
    }

    /**
     * A private key's PKCS#11 attributes that say how it is protected (PKCS#11 base specification, storage and
     * private key objects): {@code alwaysSensitive} and {@code neverExtractable} say it was generated inside the
     * token and has never left it in the clear; {@code local} that the token generated it.
     */
    record KeyAttributes(boolean token, boolean isPrivate, boolean sensitive, boolean alwaysSensitive,
            boolean extractable, boolean neverExtractable, boolean local) {
    }

    private <T> T inUserSession(long slotId, char[] pin, LongFunction<T> action) {
        long session = (long) call("C_OpenSession", new Class<?>[] {long.class, long.class, Object.class,
            callbackClass()}, slotId, CKF_SERIAL_SESSION, null, null);
        try {
            try {
                call("C_Login", new Class<?>[] {long.class, long.class, char[].class}, session, CKU_USER, pin);
            } catch (SignerException e) {
                if (returnCode(e).orElse(-1) != Pkcs11Errors.CKR_USER_ALREADY_LOGGED_IN) {
                    throw e;
                }
            }
            return action.apply(session);
        } finally {
            try {
                call("C_CloseSession", new Class<?>[] {long.class}, session);
            } catch (SignerException ignored) {
                // the session is gone with the connection; nothing is left to close
            }
        }
    }

    /** The handle of the private key whose CKA_ID is {@code id}, searched in {@code session}. */
    private OptionalLong findPrivateKey(long session, String id) {
        try {
            Class<?> attr = Class.forName(WRAPPER + "CK_ATTRIBUTE");
            Object template = Array.newInstance(attr, 2);
            Array.set(template, 0,
                    attr.getConstructor(long.class, long.class).newInstance(CKA_CLASS, CKO_PRIVATE_KEY));
            Array.set(template, 1, attr.getConstructor(long.class, Object.class)
                    .newInstance(CKA_ID, id.getBytes(StandardCharsets.UTF_8)));
            call("C_FindObjectsInit", new Class<?>[] {long.class, template.getClass()}, session, template);
            try {
                long[] found = (long[]) call("C_FindObjects", new Class<?>[] {long.class, long.class}, session, 1L);
                return found.length > 0 ? OptionalLong.of(found[0]) : OptionalLong.empty();
            } finally {
                call("C_FindObjectsFinal", new Class<?>[] {long.class}, session);
            }
        } catch (ReflectiveOperationException e) {
            throw inaccessible(e);
        }
    }

    private static Class<?> callbackClass() {
        try {
            return Class.forName(WRAPPER + "CK_NOTIFY");
        } catch (ClassNotFoundException e) {
            throw inaccessible(e);
        }
    }

    /** C_GetSlotList: the slot IDs, all of them or only those with a token present. */
    long[] slotList(boolean tokenPresent) {
        return (long[]) call("C_GetSlotList", new Class<?>[] {boolean.class}, tokenPresent);
    }

    /** C_GetSlotInfo's flags for {@code slotId}. */
    long slotFlags(long slotId) {
        Object info = call("C_GetSlotInfo", new Class<?>[] {long.class}, slotId);
        try {
            return info.getClass().getField("flags").getLong(info);
        } catch (ReflectiveOperationException e) {
            throw inaccessible(e);
        }
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
