package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Validity;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.policy.Decision;
import dev.keyward.ca.policy.Identity;
import dev.keyward.ca.policy.IssuancePolicy;
import dev.keyward.ca.policy.IssueRequest;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.IssuedCert;
import dev.keyward.web.metrics.ServerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues certificates. The policy decides the fields (in the caller's thread); then, in one transaction, the
 * serial is taken from the database sequence, the certificate is signed with the CA key of its type, and the
 * certificate row and its audit entry are written. The certificate is returned only after that transaction
 * commits, so a certificate that leaves the server is always on record. Concurrent requests share transactions
 * ({@link IssuanceBatcher}, group commit).
 */
public final class IssuanceService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IssuanceService.class);
    private final IssuancePolicy policy;
    private final PublicKeyParser parser;
    private final Clock clock;
    private final ServerMetrics metrics;
    private final IssuanceBatcher batcher;

    /**
     * {@code signingThreads} is {@code ca.signing_threads} (empty: auto, see {@link SigningPlan}); {@code auditAppended}
     * hears the chain's new last entry after each committed batch (the checkpointer).
     */
    public IssuanceService(Database db, CaKeys keys, IssuancePolicy policy, Clock clock, ServerMetrics metrics,
            Optional<Integer> signingThreads, LongConsumer auditAppended) {
        this.policy = policy;
        this.parser = PublicKeyParser.withDefaults();
        this.clock = clock;
        this.metrics = metrics;
        SigningPlan plan = SigningPlan.of(signingThreads,
                keys.user().signsOnHostCpu() && keys.host().signsOnHostCpu(),
                Runtime.getRuntime().availableProcessors());
        LOG.info("Issuance signs each batch on {} thread(s) beside its worker, {}", plan.threads(), plan.why());
        // two batch workers taking turns: one forms and signs a batch while the other writes and commits the one
        // before (never two forming at once: two free workers split the load into small batches, which cost 25-35%
        // of the throughput at 16-64 clients); a large batch is signed in chunks on the plan's threads
        this.batcher = new IssuanceBatcher(db, keys, metrics, 2, plan.threads(), plan.minChunk(), auditAppended);
    }

    /**
     * How many threads sign a batch beside its worker, and the fewest certificates each is given. Where signatures
     * cost this host's CPU (software keys, a soft token such as SoftHSM2 inside this process), as many threads as
     * CPUs (at least 2) with chunks of at least {@link IssuanceBatcher#MIN_CHUNK}: more threads would only contend for
     * the CPUs, smaller chunks cost more in hand-offs than they save. Where a device signs (a PKCS#11 hardware slot:
     * an HSM, whose signatures wait on the bus or the network), {@link #DEVICE_THREADS} threads with a certificate
     * each: the thread mostly waits, and concurrent sessions overlap the device's latency. {@code ca.signing_threads}
     * sets the thread count either way (a network HSM far away, or one that serves fewer sessions at once).
     */
    record SigningPlan(int threads, int minChunk, String why) {
        static final int DEVICE_THREADS = 16;

        /** The plan for keys that sign on this host's CPUs or not (a key in a hardware slot is enough for not). */
        static SigningPlan of(Optional<Integer> configured, boolean onHostCpu, int cpus) {
            int threads = configured.orElse(onHostCpu ? Math.max(2, cpus) : DEVICE_THREADS);
            int minChunk = onHostCpu ? IssuanceBatcher.MIN_CHUNK : 1;
            return new SigningPlan(threads, minChunk, "chunks of at least " + minChunk + " ("
                    + (onHostCpu ? "the CA keys sign on this host's CPUs" : "a CA key is in a hardware slot")
                    + "; ca.signing_threads = " + configured.map(String::valueOf).orElse("auto") + ")");
        }
    }

    /**
     * A certificate request.
     *
     * @param publicKey  the OpenSSH public-key line to certify
     * @param principals requested principals (empty: the policy's defaults)
     * @param ttl        requested lifetime (empty: the policy's default)
     * @param keyId      requested key ID (only where the policy allows it)
     * @param extensions requested extensions (empty: the policy rule's default extensions; an empty list: none)
     */
    public record IssueCommand(String publicKey, Optional<List<String>> principals, Optional<Duration> ttl,
            Optional<String> keyId, Optional<List<String>> extensions) {

        /** A request that takes the rule's default extensions. */
        public IssueCommand(String publicKey, Optional<List<String>> principals, Optional<Duration> ttl,
                Optional<String> keyId) {
            this(publicKey, principals, ttl, keyId, Optional.empty());
        }
    }

    public IssuedCert issue(Caller caller, CertType type, IssueCommand cmd) {
        return issue(caller, type, cmd, null);
    }

    /** As {@link #issue(Caller, CertType, IssueCommand)}; {@code phases}, when not null, learns where the time went. */
    public IssuedCert issue(Caller caller, CertType type, IssueCommand cmd, IssuancePhases phases) {
        long started = System.nanoTime();
        SshPublicKey key = parser.parseLine(cmd.publicKey());
        Identity who = new Identity(caller.username(),
                caller.roles().stream().map(Role::label).collect(Collectors.toSet()), java.util.Set.copyOf(caller.groups()));
        Decision d = policy.decide(who, new IssueRequest(type, key, cmd.principals().orElse(List.of()),
                cmd.ttl().orElse(null), cmd.keyId().orElse(null),
                cmd.extensions().map(java.util.HashSet::new).orElse(null)), caller.hostPrincipals());
        Instant now = clock.instant();
        // only the start is back-dated (for clocks running a little behind); the certificate lives the TTL from now
        long after = now.minus(Validity.DEFAULT_BACKDATE).getEpochSecond();
        long before = now.getEpochSecond() + d.ttl().getSeconds();
        IssuedCert issued = batcher.issue(new IssuanceBatcher.Request(caller, type, key, d, after, before, now,
                new CompletableFuture<>(), phases));
        metrics.certIssued(type.label(), Duration.ofNanos(System.nanoTime() - started));
        return issued;
    }

    /** Finishes queued requests and stops the issuance workers. */
    @Override
    public void close() {
        batcher.close();
    }
}
