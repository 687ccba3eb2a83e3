package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.config.CaKeysConfig;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.db.AgentStateDao;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.CaKeyState;
import dev.keyward.web.db.CaKeyDao.CaKeyRow;
import dev.keyward.web.db.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the user and host CA keys at start-up, creating them on first start when the configuration names none.
 * Keys are recorded in {@code ca_keys} (reference, public key, fingerprint) so that every node of a cluster and
 * every restart signs with the same keys, and so that the KRL can list revoked serials per CA key.
 */
public final class CaKeyBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(CaKeyBootstrap.class);
    /** Advisory lock key serialising CA key creation across nodes ("kwcakey"). */
    static final long CA_KEY_LOCK = 0x6b7763616b6579L;

    private final Database db;
    private final Path home;
    private final SecretSource secrets;
    private final Clock clock;
    private final KeyStore keyStore;

    /** Creates new CA keys somewhere and returns their references. */
    public interface KeyStore {
        /** A description for logs, e.g. "SoftHSM2 token in /x/softhsm". */
        String describe();

        /** Creates a new key named {@code name} (user-ca, host-ca) and returns its open signer and reference. */
        Created create(String name, CaKeysConfig config);

        /** A created key. */
        record Created(CaSigner signer, String keyUri) {
        }
    }

    public CaKeyBootstrap(Database db, Path home, SecretSource secrets, Clock clock, KeyStore keyStore) {
        this.db = db;
        this.home = home;
        this.secrets = secrets;
        this.clock = clock;
        this.keyStore = keyStore;
    }

    public CaKeys load(CaKeysConfig config) {
        if (config.configured()) {
            Opened user = configured(CertType.USER, config.userKey().orElseThrow());
            Opened host;
            try {
                host = configured(CertType.HOST, config.hostKey().orElseThrow());
            } catch (RuntimeException e) {
                user.signer().close();
                throw e;
            }
            if (user.signer().publicKey().equals(host.signer().publicKey())) {
                user.signer().close();
                host.signer().close();
                throw new ConfigException("ca.user_key and ca.host_key are the same key ("
                        + user.signer().publicKey().fingerprint() + "); user and host certificates must be signed by"
                        + " separate CA keys");
            }
            return warnIfSoftware(new CaKeys(db, secrets, new CaKeys.Active(user.id(), user.signer()),
                    new CaKeys.Active(host.id(), host.signer())));
        }
        return warnIfSoftware(db.transaction(tx -> {
            tx.execute("SELECT pg_advisory_xact_lock(" + CA_KEY_LOCK + ")");
            CaKeyDao keys = new CaKeyDao(tx);
            Opened user = openOrCreate(tx, keys, CertType.USER, config);
            Opened host = openOrCreate(tx, keys, CertType.HOST, config);
            return new CaKeys(db, secrets, new CaKeys.Active(user.id(), user.signer()),
                    new CaKeys.Active(host.id(), host.signer()));
        }));
    }

    private static CaKeys warnIfSoftware(CaKeys keys) {
        if (keys.user().description().startsWith("file:") || keys.host().description().startsWith("file:")) {
            warnSoftware();
        }
        return keys;
    }

    private record Opened(CaSigner signer, long id) {
    }

    private Opened openOrCreate(org.jooq.DSLContext tx, CaKeyDao keys, CertType purpose, CaKeysConfig config) {
        Optional<CaKeyRow> row = keys.active(purpose);
        if (row.isPresent()) {
            return new Opened(openRecorded(row.get()), row.get().id());
        }
        if (keys.countForPurpose(purpose) > 0) {
            throw new ConfigException("the database records " + purpose.label() + " CA keys but none is active;"
                    + " activate one with 'keyward-server ca activate --purpose " + purpose.label() + " --key ID'"
                    + " (see 'keyward-server ca status')");
        }
        KeyStore.Created created = keyStore.create(purpose.label() + "-ca", config);
        CaSigner signer = created.signer();
        Instant now = clock.instant();
        CaKeyRow inserted = keys.insert(purpose, created.keyUri(), signer.publicKey().toOpenSshWithoutComment(),
                signer.publicKey().fingerprint(), CaKeyState.ACTIVE, now, keys.bumpTrustVersion(now));
        new AuditLog(tx).append("system", "ca_key.create", "ca_key:" + inserted.id(),
                keyDetails(purpose, created.keyUri(), signer));
        LOG.info("Created the {} CA key {} in {}", purpose.label(), signer.publicKey().fingerprint(),
                keyStore.describe());
        return new Opened(signer, inserted.id());
    }

    /** Opens a recorded key and checks it is the one recorded. */
    private CaSigner openRecorded(CaKeyRow row) {
        CaSigner signer = Signers.open(row.keyUri(), secrets);
        if (!signer.publicKey().fingerprint().equals(row.fingerprint())) {
            signer.close();
            throw new ConfigException("the " + row.purpose().label() + " CA key at " + signer.description()
                    + " is not the one recorded in the database (" + row.fingerprint() + ")");
        }
        LOG.info("{} CA key {}: {} ({})", row.purpose().label(), row.id(), row.fingerprint(), signer.description());
        return signer;
    }

    /**
     * The key {@code ca.<purpose>_key} names. A key the database does not know yet becomes the active one (the
     * previous active key is retired, as by {@code ca activate}). A key it knows that was rotated out (retired,
     * destroyed, revoked) or not activated yet (pending) does not come back: the database's active key is used,
     * with a warning to update the configuration.
     */
    private Opened configured(CertType purpose, String keyUri) {
        String key = "ca." + purpose.label() + "_key";
        Optional<CaKeyRow> byUri = db.read(tx -> new CaKeyDao(tx).byKeyUri(keyUri));
        if (byUri.isPresent()) {
            checkPurpose(key, byUri.get(), purpose);
            if (byUri.get().state() != CaKeyState.ACTIVE) {
                return rotatedOut(key, purpose, byUri.get());
            }
            return new Opened(openRecorded(byUri.get()), byUri.get().id());
        }
        CaSigner signer = Signers.open(keyUri, secrets);
        try {
            return db.transaction(tx -> {
                tx.execute("SELECT pg_advisory_xact_lock(" + CA_KEY_LOCK + ")");
                CaKeyDao keys = new CaKeyDao(tx);
                String fp = signer.publicKey().fingerprint();
                Optional<CaKeyRow> existing = keys.byFingerprint(fp);
                if (existing.isPresent()) {
                    checkPurpose(key, existing.get(), purpose);
                    if (existing.get().state() != CaKeyState.ACTIVE) {
                        signer.close();
                        return rotatedOut(key, purpose, existing.get());
                    }
                    LOG.info("{} CA key {}: {} ({})", purpose.label(), existing.get().id(), fp, signer.description());
                    return new Opened(signer, existing.get().id());
                }
                Instant now = clock.instant();
                Optional<CaKeyRow> previous = keys.active(purpose);
                previous.ifPresent(p -> keys.retireActive(purpose, -1, now));
                long id = keys.insert(purpose, keyUri, signer.publicKey().toOpenSshWithoutComment(), fp,
                        CaKeyState.ACTIVE, now, keys.bumpTrustVersion(now)).id();
                new AgentStateDao(tx).bump(now);
                Map<String, Object> d = keyDetails(purpose, keyUri, signer);
                previous.ifPresent(p -> d.put("retired_key", p.id()));
                new AuditLog(tx).append("system", "ca_key.register", "ca_key:" + id, d);
                previous.ifPresent(p -> CaKeyTransitions.sealRetired(keys, p.id(), now));
                LOG.info("{} CA key {}: {} ({}), registered from {}{}", purpose.label(), id, fp, signer.description(),
                        key, previous.map(p -> "; key " + p.id() + " retired").orElse(""));
                return new Opened(signer, id);
            });
        } catch (RuntimeException e) {
            signer.close();
            throw e;
        }
    }

    private static void checkPurpose(String key, CaKeyRow row, CertType purpose) {
        if (row.purpose() != purpose) {
            throw new ConfigException(key + " " + row.fingerprint() + " is already registered as the "
                    + row.purpose().label() + " CA key; user and host CA keys must be separate");
        }
    }

    private Opened rotatedOut(String key, CertType purpose, CaKeyRow named) {
        CaKeyRow active = db.read(tx -> new CaKeyDao(tx).active(purpose)).orElseThrow(() -> new ConfigException(
                key + " names " + purpose.label() + " CA key " + named.id() + ", which is " + named.state().label()
                        + ", and no " + purpose.label() + " CA key is active; activate one with 'keyward-server ca"
                        + " activate'"));
        LOG.warn("{} names {} CA key {}, which is {}; signing with the active key {} ({}) as the database records."
                + " Set {} to {}", key, purpose.label(), named.id(), named.state().label(), active.id(),
                active.fingerprint(), key, active.keyUri());
        return new Opened(openRecorded(active), active.id());
    }

    private static Map<String, Object> keyDetails(CertType purpose, String keyUri, CaSigner signer) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("purpose", purpose.label());
        d.put("key_uri", keyUri);
        d.put("fingerprint", signer.publicKey().fingerprint());
        d.put("algorithm", signer.algorithm().sshName());
        return d;
    }

    /** Software keys under {@code $KEYWARD_HOME/ca}: for development only, and said so loudly. */
    public static KeyStore softwareKeys(Path home, SecretSource secrets) {
        Path dir = home.resolve("ca");
        return new KeyStore() {
            @Override
            public String describe() {
                return "software key files under " + dir;
            }

            @Override
            public Created create(String name, CaKeysConfig config) {
                try {
                    if (!Files.isDirectory(dir)) {
                        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rwx------")));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
                }
                String uri = "file:" + dir.resolve(name);
                return new Created(Signers.create(uri, config.algorithm(), secrets), uri);
            }
        };
    }

    static void warnSoftware() {
        LOG.warn("**********************************************************************************");
        LOG.warn("* WARNING: the CA keys are SOFTWARE KEYS in files, NOT IN AN HSM. Anyone who can   *");
        LOG.warn("* read them can issue certificates. Use for development only; in production set   *");
        LOG.warn("* ca.user_key and ca.host_key to pkcs11: URIs (or install softhsm2 for dev).       *");
        LOG.warn("**********************************************************************************");
    }
}
