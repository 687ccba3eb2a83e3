package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.config.CaKeysConfig;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.CaKeyDao.CaKeyRow;
import dev.keyward.web.db.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
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
            CaSigner user = Signers.open(config.userKey().orElseThrow(), secrets);
            CaSigner host = Signers.open(config.hostKey().orElseThrow(), secrets);
            if (user.publicKey().equals(host.publicKey())) {
                throw new ConfigException("ca.user_key and ca.host_key are the same key (" + user.publicKey().fingerprint()
                        + "); user and host certificates must be signed by separate CA keys");
            }
            long userId = register(CertType.USER, config.userKey().get(), user);
            long hostId = register(CertType.HOST, config.hostKey().get(), host);
            return warnIfSoftware(new CaKeys(user, userId, host, hostId));
        }
        return warnIfSoftware(db.transaction(tx -> {
            tx.execute("SELECT pg_advisory_xact_lock(" + CA_KEY_LOCK + ")");
            CaKeyDao keys = new CaKeyDao(tx);
            Opened user = openOrCreate(keys, new AuditLog(tx), CertType.USER, config);
            Opened host = openOrCreate(keys, new AuditLog(tx), CertType.HOST, config);
            return new CaKeys(user.signer(), user.id(), host.signer(), host.id());
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

    private Opened openOrCreate(CaKeyDao keys, AuditLog audit, CertType purpose, CaKeysConfig config) {
        Optional<CaKeyRow> row = keys.active(purpose);
        if (row.isPresent()) {
            CaSigner signer = Signers.open(row.get().keyUri(), secrets);
            if (!signer.publicKey().fingerprint().equals(row.get().fingerprint())) {
                throw new ConfigException("the " + purpose.label() + " CA key at " + signer.description()
                        + " is not the one recorded in the database (" + row.get().fingerprint() + ")");
            }
            LOG.info("{} CA key: {} ({})", purpose.label(), signer.publicKey().fingerprint(), signer.description());
            return new Opened(signer, row.get().id());
        }
        KeyStore.Created created = keyStore.create(purpose.label() + "-ca", config);
        CaSigner signer = created.signer();
        CaKeyRow inserted = keys.insertActive(purpose, created.keyUri(), signer.publicKey().toOpenSshWithoutComment(),
                signer.publicKey().fingerprint(), clock.instant());
        audit.append("system", "ca_key.create", "ca_key:" + inserted.id(), keyDetails(purpose, created.keyUri(), signer));
        LOG.info("Created the {} CA key {} in {}", purpose.label(), signer.publicKey().fingerprint(),
                keyStore.describe());
        return new Opened(signer, inserted.id());
    }

    private long register(CertType purpose, String keyUri, CaSigner signer) {
        return db.transaction(tx -> {
            tx.execute("SELECT pg_advisory_xact_lock(" + CA_KEY_LOCK + ")");
            CaKeyDao keys = new CaKeyDao(tx);
            String fp = signer.publicKey().fingerprint();
            Optional<CaKeyRow> existing = keys.byFingerprint(fp);
            long id;
            if (existing.isPresent()) {
                if (existing.get().purpose() != purpose) {
                    throw new ConfigException("ca." + purpose.label() + "_key " + fp + " is already registered as the "
                            + existing.get().purpose().label() + " CA key; user and host CA keys must be separate");
                }
                id = existing.get().id();
                if (!"active".equals(existing.get().state())) {
                    keys.activate(id);
                }
            } else {
                id = keys.insertActive(purpose, keyUri, signer.publicKey().toOpenSshWithoutComment(), fp,
                        clock.instant()).id();
                new AuditLog(tx).append("system", "ca_key.register", "ca_key:" + id, keyDetails(purpose, keyUri, signer));
            }
            keys.retireOthers(purpose, id);
            LOG.info("{} CA key: {} ({})", purpose.label(), fp, signer.description());
            return id;
        });
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
