package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.db.AgentStateDao;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.CaKeyDao.CaKeyRow;
import dev.keyward.web.db.CaKeyState;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.FleetDao;
import dev.keyward.web.db.RevocationDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA key lifecycle: rotate (a new pending key, trusted at once, signing nothing), activate (it signs, the
 * previous key retires), destroy (the token object is deleted) and revoke (emergency: the key goes into the KRL and
 * out of every trust bundle, and a replacement signs in the same step). Each step, its version bumps (trust bundle,
 * agent state, KRL) and its audit entries commit in one transaction, under {@link CaKeyBootstrap#CA_KEY_LOCK}.
 * Long-polling agents see the change within the watcher's interval on every node ({@code afterChange} wakes this
 * node's at once).
 */
public final class CaKeyLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(CaKeyLifecycle.class);
    /** Enrolled hosts seen this recently must trust a user key before it may be activated. */
    public static final Duration RECENTLY_SEEN = Duration.ofDays(1);
    private static final int LAGGING_NAMED = 10;

    private final Database db;
    private final Optional<CaKeys> keys;
    private final SecretSource secrets;
    private final Clock clock;
    private final CaAlgorithm defaultAlgorithm;
    private final Runnable afterChange;

    /**
     * @param keys        this node's active signers (empty for the CLI: a running server picks changes up itself)
     * @param afterChange run after every committed change (wakes this node's long polls, re-reads the KRL)
     */
    public CaKeyLifecycle(Database db, Optional<CaKeys> keys, SecretSource secrets, Clock clock,
            CaAlgorithm defaultAlgorithm, Runnable afterChange) {
        this.db = db;
        this.keys = keys;
        this.secrets = secrets;
        this.clock = clock;
        this.defaultAlgorithm = defaultAlgorithm;
        this.afterChange = afterChange;
    }

    /** A revoked key and the key that signs in its place (empty if it was not the active key). */
    public record Revoked(CaKeyRow key, Optional<CaKeyRow> replacement, long krlVersion) {
    }

    /**
     * Creates a new key for {@code purpose} in the same token (or directory) as the active one, as {@code pending}:
     * in the trust bundle from now on, signing nothing. Refused while another key of the purpose is pending.
     */
    public CaKeyRow rotate(Caller caller, CertType purpose, Optional<CaAlgorithm> algorithm) {
        CaAlgorithm alg = algorithm.orElse(defaultAlgorithm);
        CaKeyRow row = db.transaction(tx -> {
            lock(tx);
            CaKeyDao dao = new CaKeyDao(tx);
            Optional<CaKeyRow> pending = pending(dao, purpose);
            if (pending.isPresent()) {
                throw new ConflictException(purpose.label() + " CA key " + pending.get().id() + " is pending already;"
                        + " activate it (ca activate --purpose " + purpose.label() + " --key " + pending.get().id()
                        + ") or destroy it before rotating again");
            }
            CaKeyRow active = dao.active(purpose).orElseThrow(() -> new ConflictException("there is no active "
                    + purpose.label() + " CA key to rotate from"));
            CaKeyTransitions.NewKey created = CaKeyTransitions.createBeside(active.keyUri(), purpose,
                    dao.countForPurpose(purpose) + 1, alg, secrets);
            try (CaSigner signer = created.signer()) {
                Instant now = clock.instant();
                long trust = dao.bumpTrustVersion(now);
                CaKeyRow inserted = dao.insert(purpose, created.keyUri(), signer.publicKey().toOpenSshWithoutComment(),
                        signer.publicKey().fingerprint(), CaKeyState.PENDING, now, trust);
                new AgentStateDao(tx).bump(now);
                Map<String, Object> d = CaKeyTransitions.keyDetails(inserted);
                d.put("algorithm", signer.algorithm().sshName());
                d.put("key_uri", created.keyUri());
                d.put("active_key", active.id());
                d.put("trust_version", trust);
                new AuditLog(tx).append(caller.actor(), "ca_key.rotate", "ca_key:" + inserted.id(), d);
                return inserted;
            } catch (RuntimeException e) {
                discard(created.keyUri());
                throw e;
            }
        });
        LOG.info("{} CA key {} ({}) created as pending by {}; it is in the trust bundle, version {}",
                purpose.label(), row.id(), row.fingerprint(), caller.actor(), row.trustVersion());
        afterChange.run();
        return row;
    }

    /**
     * Makes pending key {@code id} sign for {@code purpose}; the active key retires (trusted until the last
     * certificate it signed expires). For a user key, refused while enrolled hosts seen in the last day report a
     * trust bundle without it, unless {@code force}.
     */
    public CaKeyRow activate(Caller caller, CertType purpose, long id, boolean force) {
        CaKeyRow before = db.read(tx -> find(new CaKeyDao(tx), purpose, id));
        requirePending(before, "activated");
        List<FleetDao.EnrolledHost> lagging = lagging(before);
        if (!lagging.isEmpty() && !force) {
            throw new ConflictException(lagging.size() + " enrolled host(s) seen in the last day do not trust "
                    + purpose.label() + " CA key " + id + " yet (their agents report a trust bundle older than version "
                    + before.trustVersion() + "): " + names(lagging) + "; wait for their agents' next cycle"
                    + " ('ca status' shows the progress) or force the activation");
        }
        CaSigner signer = openChecked(before);
        CaKeyRow[] previous = {null};
        CaKeyRow after;
        try {
            after = db.transaction(tx -> {
                lock(tx);
                CaKeyDao dao = new CaKeyDao(tx);
                CaKeyRow row = dao.byIdForUpdate(id).orElseThrow();
                requirePending(row, "activated");
                Instant now = clock.instant();
                previous[0] = dao.active(purpose).orElse(null);
                dao.retireActive(purpose, id, now);
                dao.activate(id, now);
                new AgentStateDao(tx).bump(now);
                Map<String, Object> d = CaKeyTransitions.keyDetails(dao.byId(id).orElseThrow());
                d.put("retired_key", previous[0] == null ? null : previous[0].id());
                d.put("forced", force);
                d.put("lagging_hosts", lagging.size());
                new AuditLog(tx).append(caller.actor(), "ca_key.activate", "ca_key:" + id, d);
                if (previous[0] != null) {
                    CaKeyTransitions.sealRetired(dao, previous[0].id(), now);
                }
                return dao.byId(id).orElseThrow();
            });
        } catch (RuntimeException e) {
            signer.close();
            throw e;
        }
        adopt(purpose, after, signer);
        LOG.info("{} CA key {} ({}) activated by {}{}{}", purpose.label(), id, after.fingerprint(), caller.actor(),
                previous[0] == null ? "" : "; key " + previous[0].id() + " retired",
                force && !lagging.isEmpty() ? " (forced past " + lagging.size() + " lagging hosts)" : "");
        afterChange.run();
        return after;
    }

    /**
     * Deletes key {@code id}'s private key from its token (or destroys its file). Refused for the active key, and
     * for a retired key while certificates it signed are still valid unless {@code force}.
     */
    public CaKeyRow destroy(Caller caller, CertType purpose, long id, boolean force) {
        CaKeyRow before = db.read(tx -> find(new CaKeyDao(tx), purpose, id));
        checkDestroyable(before, force);
        keys.ifPresent(k -> k.release(id));
        CaKeyRow after = db.transaction(tx -> {
            lock(tx);
            CaKeyDao dao = new CaKeyDao(tx);
            CaKeyRow row = dao.byIdForUpdate(id).orElseThrow();
            Instant now = clock.instant();
            long valid = checkDestroyable(row, force);
            // the token object goes last before the commit; if the commit fails, a retry finds it gone and says so
            String done = Signers.exists(row.keyUri(), secrets) ? Signers.destroy(row.keyUri(), secrets)
                    : "the private key was already gone from " + row.keyUri();
            dao.markDestroyed(id, now);
            Map<String, Object> d = CaKeyTransitions.keyDetails(row);
            if (row.trusted()) {
                d.put("trust_version", dao.bumpTrustVersion(now));
            }
            new AgentStateDao(tx).bump(now);
            d.put("forced", force);
            d.put("valid_certificates", valid);
            d.put("destruction", done);
            new AuditLog(tx).append(caller.actor(), "ca_key.destroy", "ca_key:" + id, d);
            LOG.info("{} CA key {} ({}) destroyed by {}: {}", purpose.label(), id, row.fingerprint(), caller.actor(),
                    done);
            return dao.byId(id).orElseThrow();
        });
        afterChange.run();
        return after;
    }

    /**
     * Emergency: puts key {@code id}'s public key into the KRL (sshd then refuses every certificate it signed),
     * takes it out of every trust bundle, and raises the KRL, trust and agent state versions. If it was the active
     * key, a pending key of the purpose is activated, or a new key created and activated, in the same transaction.
     */
    public Revoked revoke(Caller caller, CertType purpose, long id, String reason) {
        String why = RevocationService.checkReason(reason);
        CaKeyRow before = db.read(tx -> find(new CaKeyDao(tx), purpose, id));
        if (before.state() == CaKeyState.REVOKED) {
            throw new ConflictException(purpose.label() + " CA key " + id + " is revoked already");
        }
        CaSigner[] replacementSigner = {null};
        String[] createdUri = {null};
        Revoked r;
        try {
            r = db.transaction(tx -> {
                lock(tx);
                CaKeyDao dao = new CaKeyDao(tx);
                CaKeyRow row = dao.byIdForUpdate(id).orElseThrow();
                if (row.state() == CaKeyState.REVOKED) {
                    throw new ConflictException(purpose.label() + " CA key " + id + " is revoked already");
                }
                Instant now = clock.instant();
                Optional<CaKeyRow> replacement = Optional.empty();
                boolean created = false;
                if (row.state() == CaKeyState.ACTIVE) {
                    Optional<CaKeyRow> pending = pending(dao, purpose);
                    if (pending.isPresent()) {
                        replacementSigner[0] = openChecked(pending.get());
                        replacement = pending;
                    } else {
                        CaKeyTransitions.NewKey k = CaKeyTransitions.createBeside(row.keyUri(), purpose,
                                dao.countForPurpose(purpose) + 1, defaultAlgorithm, secrets);
                        createdUri[0] = k.keyUri();
                        replacementSigner[0] = k.signer();
                        replacement = Optional.of(dao.insert(purpose, k.keyUri(),
                                k.signer().publicKey().toOpenSshWithoutComment(), k.signer().publicKey().fingerprint(),
                                CaKeyState.PENDING, now, dao.bumpTrustVersion(now)));
                        created = true;
                    }
                }
                dao.markRevoked(id, now, why);
                replacement.ifPresent(p -> dao.activate(p.id(), now));
                RevocationDao revocations = new RevocationDao(tx);
                revocations.insert(RevocationDao.Kind.KEY, Optional.of(row.fingerprint()), Optional.of(row.publicKey()),
                        Optional.empty(), krlReason(id, why), caller.actor(), now);
                long krlVersion = revocations.bumpKrlVersion(now);
                long trust = dao.bumpTrustVersion(now);
                new AgentStateDao(tx).bump(now);
                Map<String, Object> d = CaKeyTransitions.keyDetails(row);
                d.put("reason", why);
                d.put("krl_version", krlVersion);
                d.put("trust_version", trust);
                d.put("replacement_key", replacement.map(CaKeyRow::id).orElse(null));
                AuditLog audit = new AuditLog(tx);
                audit.append(caller.actor(), "ca_key.revoke", "ca_key:" + id, d);
                if (replacement.isPresent()) {
                    Map<String, Object> a = CaKeyTransitions.keyDetails(dao.byId(replacement.get().id()).orElseThrow());
                    a.put("replaces_revoked_key", id);
                    a.put("created", created);
                    audit.append(caller.actor(), "ca_key.activate", "ca_key:" + replacement.get().id(), a);
                }
                return new Revoked(dao.byId(id).orElseThrow(), replacement.map(p -> dao.byId(p.id()).orElseThrow()),
                        krlVersion);
            });
        } catch (RuntimeException e) {
            if (replacementSigner[0] != null) {
                replacementSigner[0].close();
            }
            if (createdUri[0] != null) {
                discard(createdUri[0]);
            }
            throw e;
        }
        r.replacement().ifPresent(p -> adopt(purpose, p, replacementSigner[0]));
        LOG.warn("{} CA key {} ({}) REVOKED by {}: {}; KRL version {}{}", purpose.label(), id, before.fingerprint(),
                caller.actor(), why, r.krlVersion(), r.replacement().map(p -> "; key " + p.id() + " signs now")
                        .orElse(""));
        afterChange.run();
        return r;
    }

    /** The revocation's reason: which CA key, and why (cut to the column's length). */
    private static String krlReason(long id, String why) {
        String r = "CA key " + id + " revoked: " + why;
        return r.length() <= RevocationService.MAX_REASON ? r : r.substring(0, RevocationService.MAX_REASON);
    }

    /** Enrolled hosts seen in the last day whose agents do not report a trust bundle listing {@code key}. */
    List<FleetDao.EnrolledHost> lagging(CaKeyRow key) {
        if (key.purpose() != CertType.USER) {
            return List.of(); // hosts do not check host certificates (clients do): nothing to wait for on them
        }
        Instant since = clock.instant().minus(RECENTLY_SEEN);
        return db.read(tx -> new FleetDao(tx).enrolledHosts()).stream()
                .filter(h -> h.seenSince(since))
                .filter(h -> h.trustVersion().isEmpty() || h.trustVersion().get() < key.trustVersion())
                .toList();
    }

    static String names(List<FleetDao.EnrolledHost> hosts) {
        List<String> shown = hosts.stream().limit(LAGGING_NAMED).map(FleetDao.EnrolledHost::hostname).toList();
        return String.join(", ", shown) + (hosts.size() > shown.size() ? ", ..." : "");
    }

    /** The key, which must exist and be of {@code purpose}. */
    private static CaKeyRow find(CaKeyDao dao, CertType purpose, long id) {
        CaKeyRow row = dao.byId(id).orElseThrow(() -> new NotFoundException("there is no CA key " + id));
        if (row.purpose() != purpose) {
            throw new InvalidInputException("purpose: CA key " + id + " is a " + row.purpose().label() + " CA key, not a "
                    + purpose.label() + " CA key");
        }
        return row;
    }

    private static Optional<CaKeyRow> pending(CaKeyDao dao, CertType purpose) {
        return dao.all().stream().filter(k -> k.purpose() == purpose && k.state() == CaKeyState.PENDING).findFirst();
    }

    private static void requirePending(CaKeyRow row, String what) {
        if (row.state() == CaKeyState.ACTIVE) {
            throw new ConflictException(row.purpose().label() + " CA key " + row.id() + " is active already");
        }
        if (row.state() != CaKeyState.PENDING) {
            throw new ConflictException(row.purpose().label() + " CA key " + row.id() + " is " + row.state().label()
                    + "; only a pending key can be " + what + " (rotate for a new one)");
        }
    }

    /** The number of certificates that keep it from being destroyed without force (0 if none). */
    private long checkDestroyable(CaKeyRow row, boolean force) {
        String name = row.purpose().label() + " CA key " + row.id();
        switch (row.state()) {
            case ACTIVE -> throw new ConflictException(name + " is the active key and cannot be destroyed: rotate and"
                    + " activate another key first (or revoke it, if it is compromised)");
            case DESTROYED -> throw new ConflictException(name + " is destroyed already");
            case RETIRED -> {
                Instant now = clock.instant();
                long valid = db.read(tx -> new CaKeyDao(tx).validCertificates(now)).getOrDefault(row.id(), 0L);
                if (valid > 0 && !force) {
                    Instant last = db.read(tx -> new CaKeyDao(tx).lastValidBefore(row.id(), now)).orElse(now);
                    throw new ConflictException(name + " signed " + valid + " certificate(s) that are still valid (the"
                            + " last expires at " + last + "); destroy it after that, or force it (their holders then"
                            + " lose access wherever they are used)");
                }
                return valid;
            }
            default -> {
                return 0;
            }
        }
    }

    private CaSigner openChecked(CaKeyRow row) {
        CaSigner signer = Signers.open(row.keyUri(), secrets);
        if (!signer.publicKey().fingerprint().equals(row.fingerprint())) {
            signer.close();
            throw new ServiceUnavailableException("the key at " + signer.description() + " is not " + row.purpose()
                    .label() + " CA key " + row.id() + " (" + row.fingerprint() + "); nothing changed");
        }
        return signer;
    }

    /** This node signs with the newly active key at once (other nodes refresh when they notice). */
    private void adopt(CertType purpose, CaKeyRow row, CaSigner signer) {
        if (keys.isPresent()) {
            keys.get().adopt(purpose, new CaKeys.Active(row.id(), signer));
        } else {
            signer.close();
        }
    }

    /** Removes a key created for a transaction that did not commit. */
    private void discard(String keyUri) {
        try {
            Signers.destroy(keyUri, secrets);
        } catch (RuntimeException e) {
            LOG.warn("could not remove the unused new key {} after a failed step: {}", keyUri, e.toString());
        }
    }

    private static void lock(DSLContext tx) {
        tx.execute("SELECT pg_advisory_xact_lock(" + CaKeyBootstrap.CA_KEY_LOCK + ")");
    }
}
