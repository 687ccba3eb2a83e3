package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.SignerException;
import dev.keyward.ca.sign.Signers;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.config.CaKeysConfig;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.db.AuditKeyDao;
import dev.keyward.web.db.AuditKeyDao.AuditKeyRow;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.Database;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the audit key at start-up, creating it on first start when {@code audit.key} names none: beside the user CA
 * key, as {@value #NAME}: in the same token (generated inside it, sensitive and non-extractable; the embedded
 * SoftHSM2 token under {@code $KEYWARD_HOME} by default), or in the same directory for software keys (with a loud
 * warning).
 * <p>
 * The key is recorded in {@code audit_keys}, but never opened from a reference only that table gives: it comes from
 * {@code audit.key}, or is the one beside the user CA key the server signs with. A row that points anywhere else
 * stops the server, so a changed row cannot swap the key that signs (and checks) checkpoints for another.
 */
public final class AuditKeyBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(AuditKeyBootstrap.class);
    /** The audit key's name beside the CA keys (token object label, or file name). */
    public static final String NAME = "audit-key";

    private final Database db;
    private final SecretSource secrets;
    private final Clock clock;

    public AuditKeyBootstrap(Database db, SecretSource secrets, Clock clock) {
        this.db = db;
        this.secrets = secrets;
        this.clock = clock;
    }

    /**
     * Opens the audit key ({@code configured}, else the one beside the user CA key), creating it beside the user CA
     * key with {@code ca}'s algorithm when there is none yet. Call it once the CA keys are loaded.
     */
    public AuditKey load(Optional<String> configured, CaKeysConfig ca) {
        AuditKey key = db.transaction(tx -> {
            tx.execute("SELECT pg_advisory_xact_lock(" + CaKeyBootstrap.CA_KEY_LOCK + ")");
            AuditKeyDao keys = new AuditKeyDao(tx);
            if (configured.isPresent()) {
                AuditKey k = new AuditKey(open("audit.key", configured.get()), configured.get());
                register(keys, new AuditLog(tx), k, "audit_key.register");
                return k;
            }
            String beside = besideUserCaKey(new CaKeyDao(tx), ca).orElseThrow(() -> new IllegalStateException(
                    "the CA keys must be loaded before the audit key"));
            Optional<AuditKeyRow> row = keys.active();
            if (row.isPresent()) {
                return new AuditKey(openRecorded(row.get(), beside), beside);
            }
            Optional<CaSigner> existing = tryOpen(beside);
            if (existing.isPresent()) {
                LOG.warn("The audit key {} at {} was not recorded in the database; recording it again",
                        existing.get().publicKey().fingerprint(), existing.get().description());
                AuditKey k = new AuditKey(existing.get(), beside);
                register(keys, new AuditLog(tx), k, "audit_key.register");
                return k;
            }
            AuditKey k = new AuditKey(create(beside, ca), beside);
            register(keys, new AuditLog(tx), k, "audit_key.create");
            LOG.info("Created the audit key {} ({})", k.fingerprint(), k.signer().description());
            return k;
        });
        if (key.keyUri().startsWith("file:")) {
            LOG.warn("The audit key is a SOFTWARE KEY ({}), NOT IN AN HSM: whoever can read it can sign checkpoints;"
                    + " set audit.key to a pkcs11: URI in production", key.keyUri());
        }
        LOG.info("Audit key: {} ({})", key.fingerprint(), key.signer().description());
        return key;
    }

    /**
     * The audit key as it is (for {@code audit verify} and {@code restore}): {@code audit.key}, or the recorded key
     * if it is beside the user CA key; empty when none was ever created.
     */
    public Optional<AuditKey> openExisting(Optional<String> configured, CaKeysConfig ca) {
        if (configured.isPresent()) {
            return Optional.of(new AuditKey(open("audit.key", configured.get()), configured.get()));
        }
        return db.read(tx -> {
            Optional<AuditKeyRow> row = new AuditKeyDao(tx).active();
            if (row.isEmpty()) {
                return Optional.<AuditKey>empty();
            }
            String beside = besideUserCaKey(new CaKeyDao(tx), ca).orElseThrow(() -> new ConfigException(
                    "the database records an audit key but no user CA key: set audit.key"));
            return Optional.of(new AuditKey(openRecorded(row.get(), beside), beside));
        });
    }

    /** Where a created audit key is: beside {@code ca.user_key}, or beside the recorded active user CA key. */
    private static Optional<String> besideUserCaKey(CaKeyDao caKeys, CaKeysConfig ca) {
        return ca.userKey().or(() -> caKeys.active(CertType.USER).map(CaKeyDao.CaKeyRow::keyUri))
                .map(uri -> Signers.sibling(uri, NAME));
    }

    private CaSigner openRecorded(AuditKeyRow row, String beside) {
        if (!row.keyUri().equals(beside)) {
            throw new ConfigException("the audit key recorded in the database (" + row.fingerprint() + ") is at "
                    + row.keyUri() + ", which is neither audit.key nor beside the user CA key (" + beside + "); set"
                    + " audit.key to that reference if it is yours");
        }
        CaSigner signer = open("the recorded audit key", beside);
        if (!signer.publicKey().fingerprint().equals(row.fingerprint())) {
            signer.close();
            throw new ConfigException("the audit key at " + signer.description() + " is "
                    + signer.publicKey().fingerprint() + ", not the one recorded in the database (" + row.fingerprint()
                    + ")");
        }
        return signer;
    }

    private Optional<CaSigner> tryOpen(String keyUri) {
        try {
            return Optional.of(Signers.open(keyUri, secrets));
        } catch (InvalidInputException e) {
            return Optional.empty(); // no key of that name there (Signers says so with this type)
        }
    }

    private CaSigner create(String keyUri, CaKeysConfig ca) {
        try {
            return Signers.create(keyUri, ca.algorithm(), secrets);
        } catch (InvalidInputException | SignerException e) {
            throw new ConfigException("cannot create the audit key at " + keyUri + " (beside the user CA key): "
                    + e.getMessage() + "; create one yourself and set audit.key", e);
        }
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
