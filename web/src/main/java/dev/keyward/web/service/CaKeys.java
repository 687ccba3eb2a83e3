package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.Database;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active CA keys of this node: one signs only user certificates, the other only host certificates. Which key
 * is active is the database's word ({@code ca_keys}); {@link #refresh()} opens a key another node (or the CLI)
 * activated. Issuance does not rely on this node being up to date: the statement that writes a batch of
 * certificates checks that the keys which signed them are still active, under the audit-chain lock every CA key
 * change also takes, and a batch that lost the race is signed again after a refresh ({@link IssuanceBatcher}).
 *
 * <p>Signers that are no longer active stay open until {@link #close()} (a batch may still be signing with one)
 * unless {@link #release} closes them first (a key about to be destroyed).
 */
public final class CaKeys implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaKeys.class);

    /** An active key: its {@code ca_keys} row and its signer. */
    public record Active(long id, CaSigner signer) {
        public Active {
            Objects.requireNonNull(signer);
        }
    }

    private final Database db;
    private final SecretSource secrets;
    private volatile Map<CertType, Active> active;
    // guarded by this
    private final List<Active> superseded = new ArrayList<>();

    /**
     * @param db      where the active keys are recorded; null for a fixed pair (tests, tools)
     * @param secrets PINs and passphrases for keys opened on {@link #refresh()}
     */
    public CaKeys(Database db, SecretSource secrets, Active user, Active host) {
        if (user.signer().publicKey().equals(host.signer().publicKey())) {
            throw new IllegalArgumentException("the user and host CA keys must be different keys");
        }
        this.db = db;
        this.secrets = secrets;
        Map<CertType, Active> m = new EnumMap<>(CertType.class);
        m.put(CertType.USER, user);
        m.put(CertType.HOST, host);
        this.active = Map.copyOf(m);
    }

    public Active active(CertType type) {
        return active.get(type);
    }

    public CaSigner signer(CertType type) {
        return active(type).signer();
    }

    public long keyId(CertType type) {
        return active(type).id();
    }

    public CaSigner user() {
        return signer(CertType.USER);
    }

    public CaSigner host() {
        return signer(CertType.HOST);
    }

    /**
     * Reads which keys are active and opens any this node does not hold yet (checking that the opened key is the
     * recorded one). Returns whether anything changed. A key that cannot be opened leaves the old one in place and
     * throws: the next batch's check then fails again, and its requests get the error.
     */
    public synchronized boolean refresh() {
        if (db == null) {
            return false;
        }
        Map<CertType, Long> ids = db.read(dsl -> new CaKeyDao(dsl).activeIds());
        Map<CertType, Active> now = active;
        Map<CertType, Active> next = new EnumMap<>(now);
        boolean changed = false;
        for (CertType type : CertType.values()) {
            Long id = ids.get(type);
            if (id == null || id == now.get(type).id()) {
                continue;
            }
            CaKeyDao.CaKeyRow row = db.read(dsl -> new CaKeyDao(dsl).byId(id)).orElseThrow();
            CaSigner signer = Signers.open(row.keyUri(), secrets);
            if (!signer.publicKey().fingerprint().equals(row.fingerprint())) {
                signer.close();
                throw new IllegalStateException("the " + type.label() + " CA key at " + signer.description()
                        + " is not the one recorded for key " + id + " (" + row.fingerprint() + ")");
            }
            superseded.add(now.get(type));
            next.put(type, new Active(id, signer));
            changed = true;
            LOG.info("{} CA key {} ({}) is active now, after key {}", type.label(), id,
                    signer.publicKey().fingerprint(), now.get(type).id());
        }
        if (changed) {
            active = Map.copyOf(next);
        }
        return changed;
    }

    /** Signs {@code type} certificates with {@code next} from now on (a key this node just activated). */
    public synchronized void adopt(CertType type, Active next) {
        Map<CertType, Active> m = new EnumMap<>(active);
        Active before = m.put(type, next);
        if (before.id() == next.id()) {
            next.signer().close();
            return;
        }
        superseded.add(before);
        active = Map.copyOf(m);
    }

    /** Closes this node's signer for key {@code id} if it is no longer active (before the key is destroyed). */
    public synchronized void release(long id) {
        superseded.removeIf(a -> {
            if (a.id() == id) {
                a.signer().close();
                return true;
            }
            return false;
        });
    }

    @Override
    public synchronized void close() {
        for (Active a : active.values()) {
            a.signer().close();
        }
        for (Active a : superseded) {
            a.signer().close();
        }
        superseded.clear();
    }
}
