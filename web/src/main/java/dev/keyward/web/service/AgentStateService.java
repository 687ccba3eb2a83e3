package dev.keyward.web.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.ca.Sha256;
import dev.keyward.ca.cert.CertType;
import dev.keyward.web.db.AuthorizedKeyDao.StaticKey;
import dev.keyward.web.db.AuthorizedKeyDao;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.CaKeyState;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.HostDao.Host;
import dev.keyward.web.db.HostDao;
import dev.keyward.web.db.InventoryDao;
import dev.keyward.web.db.RevocationDao;
import dev.keyward.web.db.UsageDao;
import dev.keyward.web.service.AgentStateDocument.AccountState;
import dev.keyward.web.service.AgentStateDocument.DesiredKey;
import dev.keyward.web.service.AgentStateDocument.PurgeEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Builds a host's desired-state document and answers long polls on it. The document is computed from the
 * database each time (static keys of the host and its labels, revocations, the host's inventory and usage, the
 * trusted user CA keys, the KRL version); its strong ETag is a digest of its bytes, so any node computes the same
 * ETag for the same state.
 */
public final class AgentStateService {
    public static final String KRL_PATH = "/api/v1/krl";
    public static final String HOST_CERTS_PATH = "/api/v1/agent/host-certs";
    /** Reason order: the first reason found for a fingerprint wins. */
    static final List<String> REASONS = List.of("revoked", "deleted", "expired", "unused");

    private final Database db;
    private final KrlService krl;
    private final AgentStateWatcher watcher;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final Optional<Duration> purgeUnusedAfter;
    private final Executor executor;

    /**
     * @param mapper           renders the document (the server's snake_case mapper)
     * @param purgeUnusedAfter purge keys from users' own files when unused this long (empty: never)
     * @param executor         runs the re-checks after a wake-up (short database reads)
     */
    public AgentStateService(Database db, KrlService krl, AgentStateWatcher watcher, Clock clock,
            ObjectMapper mapper, Optional<Duration> purgeUnusedAfter, Executor executor) {
        this.db = db;
        this.krl = krl;
        this.watcher = watcher;
        this.clock = clock;
        this.mapper = mapper;
        this.purgeUnusedAfter = purgeUnusedAfter;
        this.executor = executor;
    }

    /** A rendered document and its strong ETag (quoted). */
    public record Rendered(byte[] body, String etag) {
    }

    /** Whether an If-None-Match header value matches {@code etag}. */
    public static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
            return false;
        }
        for (String t : ifNoneMatch.split(",")) {
            String s = t.strip();
            if (s.equals("*") || s.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** The document now. */
    public Rendered render(Host host) {
        AgentStateDocument doc = document(host, clock.instant());
        try {
            byte[] body = mapper.writeValueAsBytes(doc);
            return new Rendered(body, "\"" + Sha256.hex(body).substring(0, 40) + "\"");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the agent state", e);
        }
    }

    /**
     * Completes with the document as soon as its ETag differs from {@code ifNoneMatch}, or after {@code wait}
     * with the document as it is then (the caller answers 304 if it still matches).
     */
    public CompletableFuture<Rendered> await(Host host, String ifNoneMatch, Duration wait) {
        CompletableFuture<Rendered> result = new CompletableFuture<>();
        step(host, ifNoneMatch, System.nanoTime() + wait.toNanos(), result);
        return result;
    }

    private void step(Host host, String ifNoneMatch, long deadline, CompletableFuture<Rendered> result) {
        CompletableFuture<Void> signal = watcher.signal();
        try {
            Rendered r = render(host);
            long remaining = deadline - System.nanoTime();
            if (!matches(ifNoneMatch, r.etag()) || remaining <= 0) {
                watcher.cancel(signal);
                result.complete(r);
                return;
            }
            signal.completeOnTimeout(null, remaining, TimeUnit.NANOSECONDS)
                    .thenRunAsync(() -> step(host, ifNoneMatch, deadline, result), executor)
                    .exceptionally(e -> {
                        result.completeExceptionally(e);
                        return null;
                    });
        } catch (RuntimeException e) {
            watcher.cancel(signal);
            result.completeExceptionally(e);
        }
    }

    AgentStateDocument document(Host host, Instant now) {
        // before the transaction: it may need a connection of its own. No SHA-256 in the reference: a revocation
        // between this document and the agent's KRL download would make a digest mismatch (a failed cycle),
        // while a newer KRL is exactly what the agent should install; it checks the version inside the KRL.
        KrlService.Krl currentKrl = krl.current();
        return db.transaction(tx -> {
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
            List<StaticKey> statics = new AuthorizedKeyDao(tx).forHost(host.id(), host.labels());
            List<InventoryDao.Row> inventory = new InventoryDao(tx).forHost(host.id());
            Set<String> revoked = new RevocationDao(tx).all().stream()
                    .filter(r -> r.kind() != RevocationDao.Kind.KEY_ID)
                    .map(r -> r.keyFingerprint().orElseThrow()).collect(Collectors.toSet());
            List<CaKeyDao.CaKeyRow> cas = new CaKeyDao(tx).all();
            List<HostDao.NewestCert> certs = new HostDao(tx).newestHostCerts(host.id());

            Map<String, Map<String, DesiredKey>> desired = new TreeMap<>();
            Map<String, Map<String, PurgeEntry>> purge = new TreeMap<>();
            for (StaticKey k : statics) {
                if (revoked.contains(k.fingerprint())) {
                    addPurge(purge, k.account(), k.fingerprint(), "revoked", true);
                } else if (k.deletedAt().isPresent()) {
                    addPurge(purge, k.account(), k.fingerprint(), "deleted", true);
                } else if (k.expiredAt(now)) {
                    addPurge(purge, k.account(), k.fingerprint(), "expired", true);
                } else {
                    desired.computeIfAbsent(k.account(), a -> new TreeMap<>()).putIfAbsent(k.fingerprint(),
                            new DesiredKey(Long.toString(k.id()), k.options().isEmpty() ? null : k.options(),
                                    k.publicKey(), k.comment().isEmpty() ? null : k.comment(),
                                    k.expiresAt().map(Instant::toString).orElse(null)));
                }
            }
            Map<String, Instant> lastUse = new HashMap<>();
            if (purgeUnusedAfter.isPresent()) {
                for (UsageDao.LastUse u : new UsageDao(tx).keyLastUse(host.id())) {
                    lastUse.put(u.account() + " " + u.fingerprint(), u.lastUsedAt());
                }
            }
            Map<String, Instant> firstSeen = purgeUnusedAfter.isPresent()
                    ? new InventoryDao(tx).firstSeen(inventory.stream().map(InventoryDao.Row::fingerprint).distinct()
                            .toList())
                    : Map.of();
            for (InventoryDao.Row r : inventory) {
                if (!AgentReportService.ACCOUNT.matcher(r.account()).matches()) {
                    continue; // listed in the inventory only: the agent refuses a document naming such an account
                }
                if (revoked.contains(r.fingerprint())) {
                    addPurge(purge, r.account(), r.fingerprint(), "revoked", true);
                } else if (purgeUnusedAfter.isPresent() && r.source().equals("user")
                        && !desired.getOrDefault(r.account(), Map.of()).containsKey(r.fingerprint())) {
                    Instant since = lastUse.getOrDefault(r.account() + " " + r.fingerprint(),
                            firstSeen.getOrDefault(r.fingerprint(), now));
                    if (since.isBefore(now.minus(purgeUnusedAfter.get()))) {
                        addPurge(purge, r.account(), r.fingerprint(), "unused", false);
                    }
                }
            }
            // a key an account should have is never purged for a stale reason (deleted, then added again)
            purge.forEach((account, entries) -> entries.keySet().removeIf(fp ->
                    desired.getOrDefault(account, Map.of()).containsKey(fp)));

            // In exclusive mode a listed account's own file becomes exactly its desired keys: list only accounts
            // Keyward has keys for on this host (current or removed). A revoked or unused key in any other
            // account stays (sshd refuses a revoked one through the KRL) rather than that account's file being
            // emptied, which the agent's bulk-purge guard would stop, and with it the whole sync.
            Set<String> keywardAccounts = statics.stream().map(StaticKey::account).collect(Collectors.toSet());
            boolean exclusive = host.mode().equals("exclusive");
            Map<String, AccountState> accounts = new TreeMap<>();
            for (String account : union(desired.keySet(), purge.keySet())) {
                if (exclusive && !keywardAccounts.contains(account)) {
                    continue;
                }
                List<DesiredKey> keys = new ArrayList<>(desired.getOrDefault(account, Map.of()).values());
                List<PurgeEntry> p = new ArrayList<>(purge.getOrDefault(account, Map.of()).values());
                if (!keys.isEmpty() || !p.isEmpty()) {
                    accounts.put(account, new AccountState(keys, p));
                }
            }
            // the trust bundle (pending, active and still-needed retired user CA keys) and its version, read in this
            // snapshot; the host certificates are due when one is revoked or not from the active host CA key
            List<String> userCas = TrustService.trusted(cas, CertType.USER);
            long trustVersion = new CaKeyDao(tx).trustVersion();
            long hostCa = cas.stream().filter(k -> k.purpose() == CertType.HOST && k.state() == CaKeyState.ACTIVE)
                    .mapToLong(CaKeyDao.CaKeyRow::id).findFirst().orElse(-1);
            boolean renewNow = certs.stream().anyMatch(c -> c.validBefore().isAfter(now)
                    && (c.revoked() || c.caKeyId() != hostCa));
            return new AgentStateDocument(Long.toString(host.id()), host.mode(), accounts,
                    new AgentStateDocument.Trust(userCas, trustVersion),
                    new AgentStateDocument.KrlRef(currentKrl.version(), KRL_PATH, null),
                    new AgentStateDocument.HostCertHints(renewNow, HOST_CERTS_PATH));
        });
    }

    private static void addPurge(Map<String, Map<String, PurgeEntry>> purge, String account, String fp,
            String reason, boolean confirmed) {
        Map<String, PurgeEntry> m = purge.computeIfAbsent(account, a -> new TreeMap<>());
        PurgeEntry old = m.get(fp);
        if (old == null || REASONS.indexOf(reason) < REASONS.indexOf(old.reason())) {
            m.put(fp, new PurgeEntry(fp, reason, confirmed));
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new java.util.TreeSet<>(a);
        s.addAll(b);
        return s;
    }

}
