package dev.keyward.web.service;

import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.CertificateDao;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.DatabaseUnavailableException;
import dev.keyward.web.db.RevocationDao;
import dev.keyward.web.db.RevocationDao.Revocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the current KRL. The bytes are built once per KRL version and cached; the version (a database row bumped
 * by every revocation) is re-read at most every {@code versionCheckInterval}, and at once after a revocation
 * through this node. Several nodes produce the same content for the same version, so the version is a sound ETag.
 */
public final class KrlService {
    private static final Logger LOG = LoggerFactory.getLogger(KrlService.class);
    private static final PublicKeyParser LENIENT = new PublicKeyParser(new KeyPolicy(1024));
    /** How long after its expiry a revoked certificate stays in the KRL: covers sshd clocks running behind. */
    public static final Duration PRUNE_MARGIN = Duration.ofHours(1);

    private final Database db;
    private final Function<KrlContent, byte[]> encoder;
    private final long checkIntervalNanos;
    private final Object buildLock = new Object();
    private volatile Krl cached;
    private volatile long checkedAtNanos;

    /**
     * A built KRL. {@code version} is PROTOCOL.krl's {@code krl_version}, an unsigned 64-bit number: printed and
     * compared as one (the counter behind it, {@code krl_state.version}, starts at 1 and only rises by one, so in
     * practice it stays far below 2^63).
     */
    public record Krl(long version, byte[] bytes) {
        public Krl {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The strong ETag for this version, quoted as HTTP wants it. */
        public String etag() {
            return "\"" + Long.toUnsignedString(version) + "\"";
        }
    }

    public KrlService(Database db, Duration versionCheckInterval, Function<KrlContent, byte[]> encoder) {
        this.db = db;
        this.encoder = encoder;
        this.checkIntervalNanos = versionCheckInterval.toNanos();
    }

    /** The current KRL, from the cache when its version is still current. */
    public Krl current() {
        Krl c = cached;
        long now = System.nanoTime();
        if (c != null && now - checkedAtNanos < checkIntervalNanos) {
            return c;
        }
        long version;
        try {
            version = db.read(dsl -> new RevocationDao(dsl).krlVersion());
        } catch (DatabaseUnavailableException e) {
            if (c == null) {
                throw e;
            }
            // Agents keep polling through a database outage: the last KRL this node built is still the best
            // answer (its ETag says which version it is), better than an error for every server at once.
            LOG.debug("database unavailable; serving cached KRL version {}", c.version());
            return c;
        }
        if (c != null && c.version() == version) {
            checkedAtNanos = now;
            return c;
        }
        synchronized (buildLock) {
            c = cached;
            if (c != null && Long.compareUnsigned(c.version(), version) >= 0) {
                checkedAtNanos = now;
                return c;
            }
            KrlContent content = db.transaction(KrlService::load);
            Krl built = new Krl(content.version(), encoder.apply(content));
            cached = built;
            checkedAtNanos = now;
            return built;
        }
    }

    /** Forces the next {@link #current()} to check the version (after a revocation through this node). */
    public void invalidate() {
        checkedAtNanos = System.nanoTime() - checkIntervalNanos - 1;
    }

    /** Reads the version and everything revoked from one snapshot. */
    static KrlContent load(DSLContext tx) {
        tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
        RevocationDao.KrlState state = new RevocationDao(tx).krlState();
        List<Revocation> revocations = new RevocationDao(tx).all();
        // a revoked certificate that had expired (with a margin for sshd clocks running late) when this version was
        // raised needs no entry: sshd refuses it as expired. Cut at the version's own time, so every node builds
        // the same bytes for a version; KrlPruner raises the version when entries become prunable.
        Map<Long, TreeSet<Long>> serials = new CertificateDao(tx).revokedSerialsByCaKey(
                state.updatedAt().minus(PRUNE_MARGIN));
        TreeSet<String> keyIds = new TreeSet<>();
        List<SshPublicKey> keys = new ArrayList<>();
        TreeSet<String> fingerprints = new TreeSet<>();
        for (Revocation r : revocations) {
            switch (r.kind()) {
                case KEY_ID -> keyIds.add(r.keyId().orElseThrow());
                case KEY -> keys.add(LENIENT.parseLine(r.publicKey().orElseThrow()));
                case FINGERPRINT -> fingerprints.add(r.keyFingerprint().orElseThrow());
            }
        }
        List<KrlContent.CaSection> sections = new ArrayList<>();
        for (CaKeyDao.CaKeyRow ca : new CaKeyDao(tx).all()) {
            TreeSet<Long> s = serials.getOrDefault(ca.id(), new TreeSet<>());
            if (!s.isEmpty() || !keyIds.isEmpty()) {
                sections.add(new KrlContent.CaSection(LENIENT.parseLine(ca.publicKey()), s, keyIds));
            }
        }
        return new KrlContent(state.version(), state.updatedAt(), sections, keys, new ArrayList<>(fingerprints));
    }

}
