package dev.keyward.ca.testing;

import dev.keyward.ca.pkcs11.Pkcs11Uri;
import dev.keyward.ca.pkcs11.SoftHsmTokens;
import dev.keyward.ca.sign.SecretSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * SoftHSM2 tokens for tests: fresh tokens with random labels and PINs in a private token directory.
 * <p>
 * Usage:
 * <pre>{@code
 *   SoftHsm.Token token = SoftHsm.newToken();          // in @BeforeAll or a static initialiser
 *   CaSigner ca = Pkcs11Keys.generate(token.uri("ca"), CaAlgorithm.ECDSA_P256, token.secrets());
 * }</pre>
 * The token directory comes from {@code SOFTHSM2_CONF}, which whoever starts the JVM must set (the Surefire
 * configuration does: {@code target/softhsm2-test/softhsm2.conf}); this class writes that file and the token
 * directory beside it if they are missing.
 * <p>
 * <b>SoftHSM2 reads its token list once, when a process loads the module.</b> A token created afterwards (by
 * {@code pkcs11-tool}, in another process) is invisible to a JVM that has already used PKCS#11. So the first
 * call creates a pool of tokens at once ({@value #POOL_PROPERTY}, default {@value #DEFAULT_POOL_SIZE}) and
 * later calls hand them out. Once the pool is used up after the module was loaded, {@link #newToken()} fails
 * loudly; raise the property rather than sharing tokens between test classes.
 * <p>
 * PINs never appear on a command line: {@code pkcs11-tool} reads them from environment variables
 * ({@code --pin env:VAR}). The user PIN is written to a 0600 file that the token's URI names as its
 * {@code pin-source}. Tokens and PIN files live under {@code target/}; those older than two hours are pruned
 * (tokens only if this class wrote the configuration).
 * <p>
 * One test JVM at a time per {@code SOFTHSM2_CONF} (Surefire's default): two processes creating tokens at the
 * same moment could pick the same free slot, and the second would fail.
 */
public final class SoftHsm {
    /** The SoftHSM2 PKCS#11 module as Debian installs it ({@code apt-get install softhsm2}). */
    public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    public static final String POOL_PROPERTY = "keyward.softhsm.tokens";
    static final int DEFAULT_POOL_SIZE = 12;

    /** First line of a configuration this class wrote; only then are stale tokens pruned. */
    private static final String MARKER = "# Written by the Keyward test fixture dev.keyward.ca.testing.SoftHsm";
    /** Older tokens belong to finished test JVMs (each JVM uses only the tokens it created); they slow down C_Initialize. */
    private static final Duration STALE = Duration.ofHours(2);
    private static final Pattern SLOT_LINE = Pattern.compile("^Slot (\\d+) ");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final Deque<Token> POOL = new ArrayDeque<>();
    private static boolean handedOut;

    private SoftHsm() {
    }

    /**
     * A SoftHSM2 token for this test.
     *
     * @param label      the token label (random, {@code kw-test-...})
     * @param pinFile    a 0600 file holding the user PIN and a trailing newline
     * @param modulePath the PKCS#11 module
     */
    public record Token(String label, Path pinFile, Path modulePath) {
        /** A URI for the key {@code objectName} on this token, with the PIN file as its pin-source. */
        public Pkcs11Uri uri(String objectName) {
            return Pkcs11Uri.of(label, objectName, modulePath, pinFile);
        }

        /** A URI without pin-source: the PIN then comes from {@link #secrets()}. */
        public Pkcs11Uri uriWithoutPinSource(String objectName) {
            return Pkcs11Uri.of(label, objectName, modulePath, null);
        }

        /** Secrets holding this token's user PIN as {@link SecretSource#PKCS11_PIN_ENV}. */
        public SecretSource secrets() {
            return SecretSource.of(Map.of(SecretSource.PKCS11_PIN_ENV, userPin()));
        }

        /**
         * The token's own directory under the token directory of {@code SOFTHSM2_CONF} (SoftHSM2's file backend
         * keeps each token in a directory named by a UUID, its label in {@code token.object}): tests move it away
         * and back to make the token disappear and return.
         */
        public Path directory() {
            Path tokens = Path.of(System.getenv("SOFTHSM2_CONF")).toAbsolutePath().resolveSibling("tokens");
            byte[] want = label.getBytes(StandardCharsets.UTF_8);
            try (Stream<Path> dirs = Files.list(tokens)) {
                for (Path d : dirs.toList()) {
                    Path object = d.resolve("token.object");
                    if (Files.isRegularFile(object) && contains(Files.readAllBytes(object), want)) {
                        return d;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + tokens, e);
            }
            throw new IllegalStateException("no directory under " + tokens + " holds SoftHSM2 token " + label);
        }

        private static boolean contains(byte[] haystack, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= haystack.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (haystack[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }

        /** The user PIN, for tests that pass it to an external tool through the environment. */
        public String userPin() {
            try {
                return Files.readString(pinFile, StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the PIN file of SoftHSM2 token " + label, e);
            }
        }
    }

    /** A fresh, initialised token with a user PIN that no other test uses. */
    public static synchronized Token newToken() {
        if (POOL.isEmpty()) {
            // Unknown counts as loaded once tokens were handed out: their tests have probably used PKCS#11.
            if (moduleLoaded().orElse(handedOut)) {
                throw new IllegalStateException(handedOut
                        ? "all " + poolSize() + " SoftHSM2 test tokens are used, and SoftHSM2 in this JVM cannot see"
                                + " tokens created after it was loaded: run with -D" + POOL_PROPERTY + "=<more>"
                        : "this JVM loaded a PKCS#11 module before the first SoftHsm.newToken(), so SoftHSM2 will not"
                                + " see new tokens: get tokens before any PKCS#11 use (in @BeforeAll)");
            }
            Path conf = ensureConfiguration();
            for (int i = 0; i < poolSize(); i++) {
                POOL.add(createToken(conf));
            }
        }
        handedOut = true;
        return POOL.removeFirst();
    }

    private static int poolSize() {
        return Integer.getInteger(POOL_PROPERTY, DEFAULT_POOL_SIZE);
    }

    /**
     * Writes SOFTHSM2_CONF, with a token directory beside it, if it is missing. A file this class did not write is
     * used as it is, and nothing in its token directory is ever deleted.
     */
    private static Path ensureConfiguration() {
        String env = System.getenv("SOFTHSM2_CONF");
        if (env == null || env.isBlank()) {
            throw new IllegalStateException("SOFTHSM2_CONF is not set: SoftHSM2 reads it when the module loads, so"
                    + " whoever starts the JVM must set it (Maven Surefire does, via environmentVariables)");
        }
        if (!Files.isRegularFile(MODULE)) {
            throw new IllegalStateException("SoftHSM2 is not installed (" + MODULE + " is missing):"
                    + " apt-get install -y softhsm2 opensc");
        }
        Path conf = Path.of(env).toAbsolutePath();
        Path dir = conf.getParent();
        Path tokens = dir.resolve("tokens");
        Path pins = dir.resolve("pins");
        try {
            Files.createDirectories(dir);
            createPrivateDirectory(pins);
            if (!Files.exists(conf)) {
                String text = MARKER + "\n"
                        + "directories.tokendir = " + tokens + "\n"
                        + "objectstore.backend = file\n"
                        + "log.level = ERROR\n";
                Path tmp = Files.createTempFile(dir, "softhsm2", ".conf.tmp");
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, conf, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, conf);
                }
            }
            if (Files.readString(conf, StandardCharsets.UTF_8).startsWith(MARKER)) {
                createPrivateDirectory(tokens);
                pruneStale(tokens);
            }
            pruneStale(pins);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up SoftHSM2 under " + dir, e);
        }
        return conf;
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    private static Token createToken(Path conf) {
        String label = "kw-test-" + hex(4);
        String soPin = hex(8);
        String userPin = hex(8);
        int free = freeSlotIndex(run(Map.of("SOFTHSM2_CONF", conf.toString()),
                List.of("pkcs11-tool", "--module", MODULE.toString(), "--list-slots")));
        SoftHsmTokens.init(MODULE, conf, free, label, soPin, userPin);
        try {
            Path pinFile = Files.createTempFile(conf.resolveSibling("pins"), label + "-", ".pin",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(pinFile, userPin + "\n", StandardCharsets.US_ASCII);
            return new Token(label, pinFile, MODULE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the PIN file for SoftHSM2 token " + label, e);
        }
    }

    /** SoftHSM2 always offers one uninitialised token; find its index in {@code pkcs11-tool --list-slots}. */
    private static int freeSlotIndex(String listing) {
        int slot = -1;
        for (String line : listing.split("\n")) {
            Matcher mt = SLOT_LINE.matcher(line);
            if (mt.find()) {
                slot = Integer.parseInt(mt.group(1));
            } else if (slot >= 0 && line.contains("token state") && line.contains("uninitialized")) {
                return slot;
            }
        }
        throw new IllegalStateException("SoftHSM2 shows no free slot; pkcs11-tool --list-slots said:\n" + listing);
    }

    static String run(Map<String, String> env, List<String> command) {
        return SoftHsmTokens.run(env, command);
    }

    /**
     * Whether this JVM has loaded a PKCS#11 module (after which SoftHSM2 cannot see new tokens), read from the
     * JDK wrapper's module cache, which Surefire's {@code --add-opens} makes readable; empty if it cannot be read.
     */
    private static Optional<Boolean> moduleLoaded() {
        try {
            Field f = Class.forName("sun.security.pkcs11.wrapper.PKCS11").getDeclaredField("moduleMap");
            f.setAccessible(true);
            return f.get(null) instanceof Map<?, ?> loaded ? Optional.of(!loaded.isEmpty()) : Optional.empty();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Removes entries (token directories, PIN files) untouched for {@link #STALE}: earlier runs' leftovers. */
    private static void pruneStale(Path dir) throws IOException {
        FileTime cutoff = FileTime.from(Instant.now().minus(STALE));
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                if (Files.getLastModifiedTime(entry).compareTo(cutoff) < 0) {
                    deleteTree(entry);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
