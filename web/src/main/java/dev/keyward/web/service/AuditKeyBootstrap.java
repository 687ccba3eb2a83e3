package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.SignerException;
import dev.keyward.ca.sign.Signers;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.config.CaKeysConfig;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.db.AuditKeyDao;
import dev.keyward.web.db.AuditKeyDao.AuditKeyRow;
import dev.keyward.web.db.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the audit key at start-up, creating it on first start when {@code audit.key} names none: in the same key
 * store as the CA keys the server creates (the SoftHSM2 token under {@code $KEYWARD_HOME}, generated inside it,
 * sensitive and non-extractable; or a software key file, with a loud warning), under the name {@value #NAME}.
 * <p>
 * The key is recorded in {@code audit_keys}, but never opened from a reference only the database gives: it comes
 * from {@code audit.key}, or from one of the two places a created key can be ({@link #defaultReferences}). A row
 * that points anywhere else stops the server, so whoever can write the database cannot swap the key that signs
 * (and checks) checkpoints for one they hold.
 */
public final class AuditKeyBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(AuditKeyBootstrap.class);
    /** The audit key's name in the key store (token object label, or file name under {@code $KEYWARD_HOME/ca}). */
    public static final String NAME = "audit-key";

    private final Database db;
    private final Path home;
    private final SecretSource secrets;
    private final Clock clock;

    public AuditKeyBootstrap(Database db, Path home, SecretSource secrets, Clock clock) {
        this.db = db;
        this.home = home;
        this.secrets = secrets;
        this.clock = clock;
    }

    /** The references a key the server created can have under {@code home}. */
    public static List<String> defaultReferences(Path home) {
        return List.of(SoftHsmKeyStore.reference(home, NAME), CaKeyBootstrap.softwareReference(home, NAME));
    }

    /** Opens the audit key, creating it in {@code store} (with {@code ca}'s algorithm) when there is none yet. */
    public AuditKey load(Optional<String> configured, CaKeyBootstrap.KeyStore store, CaKeysConfig ca) {
        AuditKey key;
        if (configured.isPresent()) {
            key = new AuditKey(open("audit.key", configured.get()), configured.get());
            db.transaction(tx -> {
                tx.execute("SELECT pg_advisory_xact_lock(" + CaKeyBootstrap.CA_KEY_LOCK + ")");
                register(new AuditKeyDao(tx), new AuditLog(tx), key, "audit_key.register");
                return null;
            });
        } else {
            key = db.transaction(tx -> {
                tx.execute("SELECT pg_advisory_xact_lock(" + CaKeyBootstrap.CA_KEY_LOCK + ")");
                AuditKeyDao keys = new AuditKeyDao(tx);
                Optional<AuditKeyRow> row = keys.active();
                if (row.isPresent()) {
                    return new AuditKey(openRecorded(row.get()), row.get().keyUri());
                }
                Optional<CaSigner> existing = store.openExisting(NAME);
                if (existing.isPresent()) {
                    LOG.warn("The audit key {} in {} was not recorded in the database; recording it again",
                            existing.get().publicKey().fingerprint(), store.describe());
                    AuditKey k = new AuditKey(existing.get(), store.reference(NAME));
                    register(keys, new AuditLog(tx), k, "audit_key.register");
                    return k;
                }
                CaKeyBootstrap.KeyStore.Created created = store.create(NAME, ca);
                AuditKey k = new AuditKey(created.signer(), created.keyUri());
                register(keys, new AuditLog(tx), k, "audit_key.create");
                LOG.info("Created the audit key {} in {}", k.fingerprint(), store.describe());
                return k;
            });
        }
        if (key.keyUri().startsWith("file:")) {
            LOG.warn("The audit key is a SOFTWARE KEY ({}), NOT IN AN HSM: whoever can read it can sign checkpoints;"
                    + " set audit.key to a pkcs11: URI in production", key.keyUri());
        }
        LOG.info("Audit key: {} ({})", key.fingerprint(), key.signer().description());
        return key;
    }

    /**
     * The audit key as it is (for {@code audit verify} and {@code restore}): {@code audit.key}, or the recorded key if
     * it is in one of its default places; empty when none was ever created.
     */
    public Optional<AuditKey> openExisting(Optional<String> configured) {
        if (configured.isPresent()) {
            return Optional.of(new AuditKey(open("audit.key", configured.get()), configured.get()));
        }
        Optional<AuditKeyRow> row = db.read(tx -> new AuditKeyDao(tx).active());
        return row.map(r -> new AuditKey(openRecorded(r), r.keyUri()));
    }

    private CaSigner openRecorded(AuditKeyRow row) {
        if (!defaultReferences(home).contains(row.keyUri())) {
            throw new ConfigException("the audit key recorded in the database (" + row.fingerprint() + ") is at "
                    + row.keyUri() + ", which is neither audit.key nor where the server creates it under " + home
                    + "; set audit.key to that reference if it is yours");
        }
        CaSigner signer = open("the recorded audit key", row.keyUri());
        if (!signer.publicKey().fingerprint().equals(row.fingerprint())) {
            signer.close();
            throw new ConfigException("the audit key at " + signer.description() + " is "
                    + signer.publicKey().fingerprint() + ", not the one recorded in the database (" + row.fingerprint()
                    + ")");
        }
        return signer;
    }

    private CaSigner open(String what, String keyUri) {
        try {
            return Signers.open(keyUri, secrets);
        } catch (InvalidInputException | SignerException e) {
            throw new ConfigException(what + ": cannot open the audit key: " + e.getMessage(), e);
        }
    }

    /** Records {@code key} as the one active audit key (adding its row and an audit entry if it is new). */
    private void register(AuditKeyDao keys, AuditLog audit, AuditKey key, String action) {
        String fp = key.fingerprint();
        Optional<AuditKeyRow> existing = keys.byFingerprint(fp);
        long id;
        if (existing.isPresent()) {
            id = existing.get().id();
        } else {
            id = keys.insertActive(key.keyUri(), key.signer().publicKey().toOpenSshWithoutComment(), fp,
                    clock.instant()).id();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("key_uri", key.keyUri());
            d.put("fingerprint", fp);
            d.put("algorithm", key.signer().algorithm().sshName());
            audit.append("system", action, "audit_key:" + id, d);
        }
        keys.activateOnly(id);
    }
}
