package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.policy.Decision;
import dev.keyward.ca.policy.PolicyViolationException;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.audit.AuditEntry;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.IssuedCert;
import dev.keyward.web.db.IssuanceStatements;
import dev.keyward.web.metrics.ServerMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for issuance. Requests that arrive together are issued in one transaction: their serials come
 * from the sequence in one round trip, they are signed in parallel, and their certificate rows and audit entries
 * are written with one multi-row insert each and one acquisition of the audit-chain lock, then committed with
 * one fsync. Every caller still gets its certificate only after that commit, so the durability promise is
 * unchanged; under load the per-certificate cost of the lock and the fsync is shared by the batch.
 *
 * <p>The number of workers is the caller's choice; the server uses one, so that what arrives during a commit
 * waits for it and becomes the next, larger batch (several workers split the load into small batches, and the
 * per-transaction cost of PostgreSQL's commit dominates). A request that fails on its own (revoked key or key ID, invalid certificate) fails
 * alone; a failed transaction fails every request of its batch, and none of their certificates leaves.
 */
final class IssuanceBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IssuanceBatcher.class);
    static final int MAX_BATCH = 128;
    static final int QUEUE_CAPACITY = 4096;

    /**
     * One certificate to issue, decided by the policy; {@link #result} completes after the commit. {@code phases},
     * when not null, is given the batch's instants before that ({@code Server-Timing}).
     */
    record Request(Caller caller, CertType type, SshPublicKey key, Decision decision, long validAfter,
            long validBefore, Instant issuedAt, CompletableFuture<IssuedCert> result, IssuancePhases phases) {
    }

    private final Database db;
    private final CaKeys keys;
    private final ServerMetrics metrics;
    private final LongConsumer auditAppended;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final ExecutorService signing;
    private final int signingThreads;
    private final int minChunk;
    private final List<Thread> workers = new ArrayList<>();
    /**
     * Held by the worker that is forming a batch and signing it, released before that batch writes and commits: the
     * next batch is formed and signed while the previous one writes and commits, never two batches at once.
     */
    private final Semaphore intake = new Semaphore(1);
    private volatile boolean closed;

    /**
     * {@code signingThreads} pool threads sign a batch beside its worker, each a contiguous chunk of at least
     * {@code minChunk} certificates; {@code auditAppended} is told the chain's last entry after each committed batch.
     */
    IssuanceBatcher(Database db, CaKeys keys, ServerMetrics metrics, int workerCount, int signingThreads, int minChunk,
            LongConsumer auditAppended) {
        if (signingThreads < 1 || minChunk < 1) {
            throw new IllegalArgumentException("signingThreads and minChunk must be at least 1");
        }
        this.db = db;
        this.keys = keys;
        this.metrics = metrics;
        this.auditAppended = auditAppended;
        this.signingThreads = signingThreads;
        this.minChunk = minChunk;
        this.signing = Executors.newFixedThreadPool(signingThreads, r -> {
            Thread t = new Thread(r, "keyward-sign");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < workerCount; i++) {
            Thread t = new Thread(this::run, "keyward-issue-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    /** Queues the request and waits for its commit; rethrows the request's own failure. */
    IssuedCert issue(Request r) {
        if (closed) {
            throw new ServiceUnavailableException("the server is shutting down; retry on another node");
        }
        try {
            if (r.phases() != null) {
                r.phases().enqueued = System.nanoTime();
            }
            if (!queue.offer(r, 5, TimeUnit.SECONDS)) {
                throw new ServiceUnavailableException("too many certificate requests queued; retry shortly");
            }
            return r.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceUnavailableException("interrupted while waiting for the certificate");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("issuance failed", e.getCause());
        }
    }

    private void run() {
        while (!closed || !queue.isEmpty()) {
            Turn turn = null;
            try {
                if (!intake.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                turn = new Turn(true);
                Request first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Request> batch = new ArrayList<>();
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                process(batch, turn);
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            } finally {
                if (turn != null) {
                    turn.release();
                }
            }
        }
    }

    /** A worker's hold on {@link #intake}, released once: when its batch is signed, or when the batch ends. */
    private final class Turn {
        private boolean held;

        Turn(boolean held) {
            this.held = held;
        }

        void release() {
            if (held) {
                held = false;
                intake.release();
            }
        }
    }

    /** A signed certificate and its audit entry, rendered in the signing thread. */
    private record Issued(Request request, IssuedCert cert, AuditLog.Rendered audit) {
    }

    /** How often a batch is signed again after the CA keys changed under it (each time with the keys now active). */
    static final int KEY_CHANGE_ATTEMPTS = 3;

    /** The CA keys that signed a batch are no longer all active: it rolls back, and is signed again. */
    private static final class CaKeysChanged extends RuntimeException {
        CaKeysChanged() {
            super("a CA key that signed this batch was retired or revoked meanwhile", null, false, false);
        }
    }

    void process(List<Request> batch) {
        process(batch, new Turn(false));
    }

    private void process(List<Request> batch, Turn turn) {
        for (int attempt = 1; ; attempt++) {
            List<Request> open = batch.stream().filter(r -> !r.result().isDone()).toList();
            if (open.isEmpty()) {
                return;
            }
            try {
                processOnce(open, turn);
                return;
            } catch (CaKeysChanged e) {
                if (attempt >= KEY_CHANGE_ATTEMPTS) {
                    fail(open, new ServiceUnavailableException("the CA keys changed during issuance; retry"));
                    return;
                }
                try {
                    keys.refresh();
                } catch (RuntimeException refreshFailed) {
                    LOG.error("cannot open the CA key that is active now", refreshFailed);
                    fail(open, new ServiceUnavailableException("the CA key that is active now cannot be opened on"
                            + " this node; retry on another node or shortly"));
                    return;
                }
            }
        }
    }

    private static void fail(List<Request> batch, Throwable e) {
        for (Request r : batch) {
            r.result().completeExceptionally(e);
        }
    }

    private void processOnce(List<Request> batch, Turn turn) {
        long[] lastEntry = {-1};
        long[] at = new long[4]; // batch start, prelude done, signed, written (nanoTime; Server-Timing)
        at[0] = System.nanoTime();
        try {
            List<Issued> issued = db.transaction(tx -> tx.connectionResult(c -> {
                // one round trip: serials for the whole batch (a refused request leaves a gap, as a failed
                // transaction does) and which keys / key IDs are revoked
                IssuanceStatements.Prelude pre = IssuanceStatements.prelude(c, batch.size(),
                        batch.stream().map(r -> r.key().fingerprint()).toList(),
                        batch.stream().map(r -> r.decision().keyId()).toList());
                at[1] = System.nanoTime();
                List<Long> serials = new ArrayList<>(batch.size());
                List<Request> live = new ArrayList<>(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    Request r = batch.get(i);
                    if (refused(r, pre.revokedFingerprints(), pre.revokedKeyIds())) {
                        continue;
                    }
                    live.add(r);
                    serials.add(pre.serials().get(i));
                }
                if (live.isEmpty()) {
                    turn.release();
                    return List.<Issued>of();
                }
                List<Issued> signed = sign(live, serials);
                at[2] = System.nanoTime();
                turn.release(); // the next batch may form and sign while this one writes and commits
                if (signed.isEmpty()) {
                    return signed;
                }
                // the chain head is locked last, so it is held only for the write and the commit (a batch signed
                // meanwhile waits here for this batch's commit: the chain stays in commit order)
                IssuanceStatements.Head head = IssuanceStatements.lockAuditHead(c);
                List<AuditEntry> entries = AuditLog.chainRendered(head.seq(), head.hash(),
                        signed.stream().map(Issued::audit).toList());
                if (!IssuanceStatements.write(c, signed.stream().map(Issued::cert).toList(), entries)) {
                    throw new CaKeysChanged(); // rolls the batch back
                }
                lastEntry[0] = entries.get(entries.size() - 1).seq();
                at[3] = System.nanoTime();
                return signed;
            }));
            long committed = System.nanoTime();
            for (Issued i : issued) {
                IssuancePhases p = i.request().phases();
                if (p != null) {
                    p.batchStart = at[0];
                    p.preludeDone = at[1];
                    p.signed = at[2];
                    p.written = at[3];
                    p.committed = committed;
                    p.batchSize = batch.size();
                }
                i.request().result().complete(i.cert());
            }
            if (lastEntry[0] > 0) {
                auditAppended.accept(lastEntry[0]);
            }
        } catch (CaKeysChanged e) {
            throw e;
        } catch (RuntimeException | Error e) {
            if (causedByKeyChange(e)) {
                throw new CaKeysChanged();
            }
            fail(batch, e);
        }
    }

    private static boolean causedByKeyChange(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CaKeysChanged) {
                return true;
            }
        }
        return false;
    }

    /** Fails (alone) a request whose key or key ID is revoked. */
    private static boolean refused(Request r, Set<String> keys, Set<String> keyIds) {
        if (keys.contains(r.key().fingerprint())) {
            r.result().completeExceptionally(new PolicyViolationException("revocations.key", "the public key "
                    + r.key().fingerprint() + " is revoked; generate a new key pair"));
            return true;
        }
        if (keyIds.contains(r.decision().keyId())) {
            r.result().completeExceptionally(new PolicyViolationException("revocations.key_id", "key ID '"
                    + r.decision().keyId() + "' is revoked, so sshd would refuse this certificate; ask an"
                    + " administrator"));
            return true;
        }
        return false;
    }

    /**
     * Certificates a batch gives each signing thread at least when signatures cost this host's CPU: fewer cost more in
     * hand-offs than they save. A device's signatures (a hardware slot) are worth a thread each.
     */
    static final int MIN_CHUNK = 8;

    /**
     * Builds and signs each certificate; a request that fails here fails alone. A large batch is cut into one
     * contiguous chunk per signing thread (the worker signs the first itself), so a batch costs one hand-off per
     * thread instead of one per certificate: on two cores, waking a pool thread for each certificate and waiting
     * for each one's future cost more CPU than the signature.
     */
    private List<Issued> sign(List<Request> live, List<Long> serials) {
        int n = live.size();
        int chunks = Math.max(1, Math.min(signingThreads + 1, n / minChunk));
        int per = (n + chunks - 1) / chunks;
        List<Future<List<Issued>>> futures = new ArrayList<>(chunks - 1);
        for (int from = per; from < n; from += per) {
            int start = from;
            int end = Math.min(n, from + per);
            futures.add(signing.submit(() -> signRange(live, serials, start, end)));
        }
        List<Issued> out = new ArrayList<>(n);
        out.addAll(signRange(live, serials, 0, Math.min(n, per)));
        for (Future<List<Issued>> f : futures) {
            try {
                out.addAll(f.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("a signing thread failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServiceUnavailableException("interrupted while signing");
            }
        }
        return out;
    }

    private List<Issued> signRange(List<Request> live, List<Long> serials, int from, int to) {
        List<Issued> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            try {
                out.add(signOne(live.get(i), serials.get(i)));
            } catch (RuntimeException e) {
                live.get(i).result().completeExceptionally(e);
            }
        }
        return out;
    }

    private Issued signOne(Request r, long serial) {
        Decision d = r.decision();
        CaKeys.Active ca = keys.active(r.type());
        CaSigner signer = ca.signer();
        Certificate.Builder b = Certificate.builder().key(r.key()).serial(serial).type(r.type()).keyId(d.keyId())
                .principals(d.principals()).validity(r.validAfter(), r.validBefore());
        d.criticalOptions().forEach(b::criticalOption);
        d.extensions().forEach(b::extension);
        Certificate cert = b.build();
        long start = System.nanoTime();
        SignedCertificate signed;
        try {
            signed = CertificateCodec.sign(cert, signer);
        } catch (RuntimeException e) {
            metrics.signerError(r.type().label());
            throw e;
        }
        metrics.signed(r.type().label(), Duration.ofNanos(System.nanoTime() - start));
        IssuedCert c = new IssuedCert(serial, r.type(), ca.id(), d.keyId(), r.key().fingerprint(),
                r.key().toOpenSshWithoutComment(), r.caller().username(), r.caller().tokenId(), d.principals(),
                Instant.ofEpochSecond(r.validAfter()), Instant.ofEpochSecond(r.validBefore()), r.issuedAt(),
                signed.toOpenSsh(""), Optional.empty(), Optional.empty());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", serial);
        m.put("type", r.type().label());
        m.put("key_id", c.keyId());
        m.put("principals", c.principals());
        m.put("key_fingerprint", c.keyFingerprint());
        m.put("valid_after", c.validAfter().toString());
        m.put("valid_before", c.validBefore().toString());
        m.put("ca_fingerprint", signer.publicKey().fingerprint());
        m.put("critical_options", d.criticalOptions());
        m.put("extensions", List.copyOf(d.extensions()));
        return new Issued(r, c, AuditLog.render(new AuditLog.NewEntry(r.caller().actor(), "cert.issue",
                "serial:" + serial, m)));
    }

    /** Stops taking requests, finishes the queued ones, and stops the workers. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                LOG.warn("issuance worker {} did not finish within 30 s", t.getName());
            }
        }
        signing.shutdownNow();
        Request r;
        while ((r = queue.poll()) != null) {
            r.result().completeExceptionally(new ServiceUnavailableException("the server is shutting down"));
        }
    }
}
