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

/**
 * Issues certificates. The policy decides the fields (in the caller's thread); then, in one transaction, the
 * serial is taken from the database sequence, the certificate is signed with the CA key of its type, and the
 * certificate row and its audit entry are written. The certificate is returned only after that transaction
 * commits, so a certificate that leaves the server is always on record. Concurrent requests share transactions
 * ({@link IssuanceBatcher}, group commit).
 */
public final class IssuanceService implements AutoCloseable {
    private final IssuancePolicy policy;
    private final PublicKeyParser parser;
    private final Clock clock;
    private final ServerMetrics metrics;
    private final IssuanceBatcher batcher;

    /** {@code auditAppended} hears the chain's new last entry after each committed batch (the checkpointer). */
    public IssuanceService(Database db, CaKeys keys, IssuancePolicy policy, Clock clock, ServerMetrics metrics,
            LongConsumer auditAppended) {
        this.policy = policy;
        this.parser = PublicKeyParser.withDefaults();
        this.clock = clock;
        this.metrics = metrics;
        int cpus = Runtime.getRuntime().availableProcessors();
        // two batch workers taking turns: one forms and signs a batch while the other writes and commits the one
        // before (never two forming at once: two free workers split the load into small batches, which cost 25-35%
        // of the throughput at 16-64 clients); a large batch is signed in chunks on every CPU
        this.batcher = new IssuanceBatcher(db, keys, metrics, 2, Math.max(2, cpus), auditAppended);
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
