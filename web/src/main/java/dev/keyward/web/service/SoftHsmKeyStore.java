package dev.keyward.web.service;

import dev.keyward.ca.pkcs11.Pkcs11Uri;
import dev.keyward.ca.pkcs11.SoftHsmTokens;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.web.config.CaKeysConfig;
import dev.keyward.web.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CA keys in a SoftHSM2 token under {@code $KEYWARD_HOME/softhsm} (the embedded default when softhsm2 is
 * installed). Keys are generated inside the token, sensitive and non-extractable. The token's user PIN is in
 * {@code softhsm/user-pin} and its SO PIN in {@code softhsm/so-pin} (both 0600); the key URIs name the PIN file as
 * their pin-source, so no PIN is ever in the database, a log or a command line ({@code pkcs11-tool} reads them
 * from its environment).
 *
 * <p>SoftHSM2 finds its token directory through {@code SOFTHSM2_CONF}, read once when the PKCS#11 module loads,
 * so that variable must name {@code $KEYWARD_HOME/softhsm2.conf} before the JVM starts ({@code scripts/keyward-server}
 * sets it), and the token must exist before the module loads (this class creates it first thing).
 */
public final class SoftHsmKeyStore implements CaKeyBootstrap.KeyStore {
    private static final Logger LOG = LoggerFactory.getLogger(SoftHsmKeyStore.class);
    public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    static final String LABEL = "keyward";

    private final Path home;
    private final Path conf;
    private final Path dir;

    private SoftHsmKeyStore(Path home) {
        this.home = home;
        this.conf = home.resolve("softhsm2.conf");
        this.dir = home.resolve("softhsm");
    }

    /** Whether softhsm2 and pkcs11-tool (opensc) are installed. */
    public static boolean installed() {
        return Files.isRegularFile(MODULE) && onPath("pkcs11-tool");
    }

    /**
     * The key store for {@code home}, if SOFTHSM2_CONF points at {@code home/softhsm2.conf}; otherwise empty, with
     * the reason in {@code why}.
     */
    public static Optional<SoftHsmKeyStore> forHome(Path home, Map<String, String> env, StringBuilder why) {
        if (!installed()) {
            why.append("softhsm2 and opensc (pkcs11-tool) are not installed");
            return Optional.empty();
        }
        Path expected = home.resolve("softhsm2.conf").toAbsolutePath().normalize();
        String actual = env.get("SOFTHSM2_CONF");
        if (actual == null || !Path.of(actual).toAbsolutePath().normalize().equals(expected)) {
            why.append("SOFTHSM2_CONF is ").append(actual == null ? "not set" : "'" + actual + "'")
                    .append(", not ").append(expected).append(" (start the server with scripts/keyward-server, which"
                            + " sets it)");
            return Optional.empty();
        }
        return Optional.of(new SoftHsmKeyStore(home));
    }

    @Override
    public String describe() {
        return "the SoftHSM2 token '" + LABEL + "' under " + dir;
    }

    @Override
    public Created create(String name, CaKeysConfig config) {
        ensureToken();
        String uri = Pkcs11Uri.of(LABEL, name, MODULE, dir.resolve("user-pin")).toString();
        return new Created(Signers.create(uri, config.algorithm(), SecretSource.of(Map.of())), uri);
    }

    /** Writes softhsm2.conf and initialises the token once (idempotent). */
    synchronized void ensureToken() {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path tokens = dir.resolve("tokens");
            if (!Files.isDirectory(tokens)) {
                Files.createDirectories(tokens, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.exists(conf)) {
                dev.keyward.ca.io.AtomicFiles.write(conf, ("directories.tokendir = " + tokens + "\n"
                        + "objectstore.backend = file\nlog.level = ERROR\n").getBytes(StandardCharsets.UTF_8), "rw-------");
            }
            Path userPin = dir.resolve("user-pin");
            if (Files.exists(userPin)) {
                return;
            }
            String so = randomPin();
            String user = randomPin();
            try {
                // a fresh token directory offers exactly one uninitialised token, at slot index 0
                SoftHsmTokens.init(MODULE, conf, 0, LABEL, so, user);
            } catch (IllegalStateException e) {
                throw new ConfigException(e.getMessage());
            }
            dev.keyward.ca.io.AtomicFiles.write(dir.resolve("so-pin"), (so + "\n").getBytes(StandardCharsets.US_ASCII),
                    "rw-------");
            dev.keyward.ca.io.AtomicFiles.write(userPin, (user + "\n").getBytes(StandardCharsets.US_ASCII), "rw-------");
            LOG.info("Initialised SoftHSM2 token '{}' in {}", LABEL, tokens);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the SoftHSM2 token under " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String randomPin() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, exe))) {
                return true;
            }
        }
        return false;
    }

    Path home() {
        return home;
    }
}
