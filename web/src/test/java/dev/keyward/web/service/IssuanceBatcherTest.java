package dev.keyward.web.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.policy.Decision;
import dev.keyward.ca.policy.Identity;
import dev.keyward.ca.policy.IssuancePolicy;
import dev.keyward.ca.policy.IssueRequest;
import dev.keyward.ca.policy.PolicyViolationException;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.audit.AuditVerifier;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.config.CaKeysConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.IssuedCert;
import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit, mostly driven directly (no worker threads): requests fail alone, or the whole batch fails together;
 * and with two workers taking turns.
 */
class IssuanceBatcherTest {
    @TempDir
    Path dir;
    TestDatabases.Db ref;
    Database db;
    CaKeys keys;
    IssuanceBatcher batcher;
    final Caller alice = new Caller("token:1:alice", "alice", Set.of(Role.ENGINEER), List.of(), Optional.of(1L), List.of());

    @BeforeEach
    void setUp() {
        ref = TestDatabases.create();
        db = Database.connect(ref.url(), ref.user(), ref.password(), 4);
        db.migrate();
        Path home = dir.resolve("home");
        keys = new CaKeyBootstrap(db, home, SecretSource.of(Map.of()), Clock.systemUTC(),
                CaKeyBootstrap.softwareKeys(home, SecretSource.of(Map.of())))
                .load(new CaKeysConfig(Optional.empty(), Optional.empty(), CaAlgorithm.ECDSA_P256,
                        CaKeysConfig.Storage.SOFTWARE));
        batcher = new IssuanceBatcher(db, keys, new ServerMetrics(), 0, 2, IssuanceBatcher.MIN_CHUNK, seq -> { });
    }

    @AfterEach
    void tearDown() {
        batcher.close();
        keys.close();
        db.close();
    }

    private IssuanceBatcher.Request request(String name) throws Exception {
        SshPublicKey key = TestKeys.read(TestKeys.publicKeyFile(dir, name, "ed25519"));
        Decision d = IssuancePolicy.defaults().decide(new Identity("alice", Set.of("engineer"), Set.of()),
                new IssueRequest(CertType.USER, key, List.of(), null, null), List.of());
        Instant now = Instant.now();
        long after = now.getEpochSecond() - 60;
        return new IssuanceBatcher.Request(alice, CertType.USER, key, d, after, after + d.ttl().getSeconds(), now,
                new CompletableFuture<>(), new IssuancePhases());
    }

    @Test
    void eachRequestLearnsWhereItsBatchSpentTheTime() throws Exception {
        IssuanceBatcher.Request a = request("p1");
        IssuanceBatcher.Request b = request("p2");
        long before = System.nanoTime();
        a.phases().enqueued = before;
        b.phases().enqueued = before;

        batcher.process(List.of(a, b));
        a.result().get();
        long end = System.nanoTime();

        IssuancePhases p = a.phases();
        assertEquals(2, p.batchSize);
        assertTrue(before <= p.batchStart && p.batchStart <= p.preludeDone && p.preludeDone <= p.signed
                && p.signed <= p.written && p.written <= p.committed && p.committed <= end);
        String header = p.serverTiming(before, end);
        assertTrue(header.matches("pre;dur=\\d+\\.\\d{3}, queue;dur=\\d+\\.\\d{3}, db;dur=\\d+\\.\\d{3}, sign;dur="
                + "\\d+\\.\\d{3}, write;dur=\\d+\\.\\d{3}, commit;dur=\\d+\\.\\d{3}, post;dur=\\d+\\.\\d{3},"
                + " app;dur=\\d+\\.\\d{3}, batch;desc=2"), header);
        assertEquals(p.batchStart, b.phases().batchStart, "one batch, one set of instants");
    }

    /** A large batch is signed in chunks on several threads: every request still gets its own key's certificate. */
    @Test
    void aLargeBatchSignedInChunksGivesEachRequestItsOwnCertificate() throws Exception {
        issueAndCheck(batcher, 5 * IssuanceBatcher.MIN_CHUNK, "chunk");

        assertEquals(5 * IssuanceBatcher.MIN_CHUNK, (int) db.read(dsl -> dsl.fetchCount(dsl.selectFrom("certificates"))));
        assertTrue(db.transaction(tx -> new AuditVerifier(tx).verify()).ok());
    }

    /**
     * Two workers in turn: one forms and signs a batch while the other writes and commits, never two signing at
     * once; every request gets its own certificate and the chain verifies.
     */
    @Test
    void twoWorkersTakeTurnsAndNeverSignTwoBatchesAtOnce() throws Exception {
        List<IssuanceBatcher.Request> requests = new java.util.ArrayList<>();
        for (int i = 0; i < 96; i++) {
            requests.add(request("turn" + i));
        }
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(16);
        try (IssuanceBatcher two = new IssuanceBatcher(db, keys, new ServerMetrics(), 2, 2, IssuanceBatcher.MIN_CHUNK,
                seq -> { })) {
            List<java.util.concurrent.Future<IssuedCert>> answers = new java.util.ArrayList<>();
            for (IssuanceBatcher.Request r : requests) {
                answers.add(callers.submit(() -> two.issue(r)));
            }
            Set<Long> serials = new java.util.HashSet<>();
            for (int i = 0; i < requests.size(); i++) {
                IssuedCert c = answers.get(i).get();
                assertEquals(requests.get(i).key().fingerprint(),
                        CertificateCodec.decodeLine(c.certificate()).certificate().key().fingerprint(), "its own key");
                serials.add(c.serial());
            }
            assertEquals(requests.size(), serials.size(), "distinct serials");
        } finally {
            callers.shutdownNow();
        }
        // each batch's forming and signing [batchStart, signed] ends before the next batch's begins
        List<IssuancePhases> batches = requests.stream().map(IssuanceBatcher.Request::phases)
                .collect(java.util.stream.Collectors.toMap(p -> p.batchStart, p -> p, (x, y) -> x))
                .values().stream().sorted(java.util.Comparator.comparingLong(p -> p.batchStart)).toList();
        for (int i = 1; i < batches.size(); i++) {
            assertTrue(batches.get(i).batchStart >= batches.get(i - 1).signed, "batch " + i + " began forming"
                    + " before batch " + (i - 1) + " was signed");
        }
        assertEquals(requests.size(), (int) db.read(dsl -> dsl.fetchCount(dsl.selectFrom("certificates"))));
        assertTrue(db.transaction(tx -> new AuditVerifier(tx).verify()).ok());
    }

    @Test
    void aRevokedKeyFailsAloneAndTheRestOfTheBatchIsIssued() throws Exception {
        IssuanceBatcher.Request a = request("a");
        IssuanceBatcher.Request revoked = request("revoked");
        IssuanceBatcher.Request c = request("c");
        new RevocationService(db, Clock.systemUTC(), new KrlService(db, Duration.ZERO, k -> new byte[0]))
                .revoke(Caller.system(), new RevocationService.RevokeRequest(
                        Optional.of(revoked.key().toOpenSsh()), Optional.empty(), Optional.empty(), "test"));

        batcher.process(List.of(a, revoked, c));

        IssuedCert ca = a.result().get();
        IssuedCert cc = c.result().get();
        assertNotEquals(ca.serial(), cc.serial());
        assertEquals(ca.serial(), CertificateCodec.decodeLine(ca.certificate()).certificate().serial());
        ExecutionException e = assertThrows(ExecutionException.class, () -> revoked.result().get());
        assertEquals("revocations.key", ((PolicyViolationException) e.getCause()).rule());
        assertTrue(db.transaction(tx -> new AuditVerifier(tx).verify()).ok());
        assertEquals(2, (int) db.read(dsl -> dsl.fetchCount(dsl.selectFrom("certificates"))));
        assertEquals(2, (int) db.read(dsl -> dsl.fetchCount(dsl.selectFrom("audit_log").where("action = 'cert.issue'"))));
    }

    @Test
    void aFailedTransactionFailsTheWholeBatchAndRecordsNothing() throws Exception {
        IssuanceBatcher.Request a = request("x");
        IssuanceBatcher.Request b = request("y");
        // make the transaction fail at its last step: no new audit row can be inserted
        ref.execute("ALTER TABLE audit_log ADD CONSTRAINT no_more CHECK (seq < 0) NOT VALID");

        batcher.process(List.of(a, b));

        assertThrows(ExecutionException.class, () -> a.result().get());
        assertThrows(ExecutionException.class, () -> b.result().get());
        assertEquals(0, (int) db.read(dsl -> dsl.fetchCount(dsl.selectFrom("certificates"))));
        assertTrue(a.result().isCompletedExceptionally() && b.result().isCompletedExceptionally());
    }

    /**
     * Another node (here the CLI's lifecycle service, which holds no signers) rotates and activates the user CA key
     * while this node still holds the old one: the batch this node signs with the retired key does not commit, and
     * is signed again with the key that is active now.
     */
    @Test
    void aBatchSignedWithAKeyRetiredMeanwhileIsSignedAgainWithTheActiveKey() throws Exception {
        CaKeyLifecycle elsewhere = new CaKeyLifecycle(db, Optional.empty(), SecretSource.of(Map.of()),
                Clock.systemUTC(), CaAlgorithm.ECDSA_P256, () -> { });
        long old = keys.keyId(CertType.USER);
        var pending = elsewhere.rotate(Caller.system(), CertType.USER, Optional.empty());
        elsewhere.activate(Caller.system(), CertType.USER, pending.id(), false);
        assertEquals(old, keys.keyId(CertType.USER), "this node has not noticed yet");

        IssuanceBatcher.Request a = request("after-rotation");
        batcher.process(List.of(a));

        IssuedCert cert = a.result().get();
        assertEquals(pending.id(), cert.caKeyId());
        assertEquals(pending.fingerprint(), CertificateCodec.decodeLine(cert.certificate()).caKey().fingerprint());
        assertEquals(pending.id(), keys.keyId(CertType.USER), "the node opened the active key");
        assertEquals(1, (int) db.read(dsl -> dsl.fetchCount(dsl.selectFrom("certificates"))));
        assertEquals(0, (int) db.read(dsl -> dsl.fetchCount(dsl.selectFrom("certificates")
                .where("ca_key_id = " + old))), "nothing by the retired key was recorded");
        assertTrue(db.transaction(tx -> new AuditVerifier(tx).verify()).ok());
    }

    /**
     * Where signatures cost this host's CPU, a batch gets as many threads as CPUs (at least two) and chunks of
     * {@link IssuanceBatcher#MIN_CHUNK}; where a device signs, {@code DEVICE_THREADS} threads and a certificate each;
     * {@code ca.signing_threads} sets the threads either way.
     */
    @Test
    void theSigningPlanFollowsWhereTheKeySignsAndTheSetting() {
        assertPlan(2, IssuanceBatcher.MIN_CHUNK, IssuanceService.SigningPlan.of(Optional.empty(), true, 1));
        assertPlan(2, IssuanceBatcher.MIN_CHUNK, IssuanceService.SigningPlan.of(Optional.empty(), true, 2));
        assertPlan(8, IssuanceBatcher.MIN_CHUNK, IssuanceService.SigningPlan.of(Optional.empty(), true, 8));
        assertPlan(IssuanceService.SigningPlan.DEVICE_THREADS, 1,
                IssuanceService.SigningPlan.of(Optional.empty(), false, 2));
        assertPlan(4, 1, IssuanceService.SigningPlan.of(Optional.of(4), false, 2));
        assertPlan(1, IssuanceBatcher.MIN_CHUNK, IssuanceService.SigningPlan.of(Optional.of(1), true, 2));
        assertTrue(IssuanceService.SigningPlan.of(Optional.empty(), false, 2).why().contains("hardware slot"));
        assertTrue(IssuanceService.SigningPlan.of(Optional.of(3), true, 2).why().contains("ca.signing_threads = 3"));
        assertThrows(IllegalArgumentException.class,
                () -> new IssuanceBatcher(db, keys, new ServerMetrics(), 0, 0, 1, seq -> { }));
    }

    private static void assertPlan(int threads, int minChunk, IssuanceService.SigningPlan plan) {
        assertEquals(threads, plan.threads(), plan.toString());
        assertEquals(minChunk, plan.minChunk(), plan.toString());
    }

    /**
     * A CA key whose signatures wait on a device (here the real key behind 20 ms of waiting, as a network HSM's
     * round trip would): with the device plan a batch of 32 has 16 signatures in flight at once; with the plan for
     * keys on this host's CPUs, at most 4 (chunks of 8). Every request still gets its own certificate, signed by the
     * CA key.
     */
    @Test
    void aKeyOnADeviceIsSignedWithManySignaturesInFlight() throws Exception {
        Device device = new Device(keys.user(), Duration.ofMillis(20));
        CaKeys onDevice = new CaKeys(db, SecretSource.of(Map.of()),
                new CaKeys.Active(keys.keyId(CertType.USER), device), keys.active(CertType.HOST));
        assertFalse(device.signsOnHostCpu());
        IssuanceService.SigningPlan plan = IssuanceService.SigningPlan.of(Optional.empty(), false, 2);
        try (IssuanceBatcher deviceBatcher = new IssuanceBatcher(db, onDevice, new ServerMetrics(), 0, plan.threads(),
                plan.minChunk(), seq -> { })) {
            issueAndCheck(deviceBatcher, 32, "device");
        }
        // 32 certificates in chunks of 2 on 16 pool threads and the worker: 16 chunks, all waiting at once
        assertTrue(device.maxInFlight.get() >= 12 && device.maxInFlight.get() <= plan.threads() + 1,
                "signatures in flight at once: " + device.maxInFlight);

        Device cpuPlan = new Device(keys.user(), Duration.ofMillis(20));
        CaKeys sameKey = new CaKeys(db, SecretSource.of(Map.of()),
                new CaKeys.Active(keys.keyId(CertType.USER), cpuPlan), keys.active(CertType.HOST));
        try (IssuanceBatcher hostBatcher = new IssuanceBatcher(db, sameKey, new ServerMetrics(), 0, 16,
                IssuanceBatcher.MIN_CHUNK, seq -> { })) {
            issueAndCheck(hostBatcher, 32, "host");
        }
        assertTrue(cpuPlan.maxInFlight.get() <= 32 / IssuanceBatcher.MIN_CHUNK, "chunks of 8: " + cpuPlan.maxInFlight);
        assertEquals(64, (int) db.read(dsl -> dsl.fetchCount(dsl.selectFrom("certificates"))));
        assertTrue(db.transaction(tx -> new AuditVerifier(tx).verify()).ok());
    }

    /**
     * Issues {@code n} certificates as one batch through {@code b}: each request gets its own key's certificate, signed
     * by the user CA key, with its serial, from a batch of {@code n}; the serials are distinct.
     */
    private void issueAndCheck(IssuanceBatcher b, int n, String prefix) throws Exception {
        List<IssuanceBatcher.Request> batch = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(request(prefix + i));
        }
        b.process(batch);
        Set<Long> serials = new java.util.HashSet<>();
        for (IssuanceBatcher.Request r : batch) {
            IssuedCert c = r.result().get();
            var decoded = CertificateCodec.decodeLine(c.certificate());
            assertEquals(r.key().fingerprint(), decoded.certificate().key().fingerprint(), "its own key");
            assertEquals(c.serial(), decoded.certificate().serial());
            assertEquals(keys.user().publicKey().fingerprint(), decoded.caKey().fingerprint(), "signed by the CA key");
            assertEquals(n, r.phases().batchSize);
            serials.add(c.serial());
        }
        assertEquals(n, serials.size(), "distinct serials");
    }

    /** The CA key as a device signs with it: each signature waits {@code latency} first; counts those in flight. */
    private static final class Device implements dev.keyward.ca.sign.CaSigner {
        private final dev.keyward.ca.sign.CaSigner key;
        private final Duration latency;
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();

        Device(dev.keyward.ca.sign.CaSigner key, Duration latency) {
            this.key = key;
            this.latency = latency;
        }

        @Override
        public SshPublicKey publicKey() {
            return key.publicKey();
        }

        @Override
        public dev.keyward.ca.sign.SignatureAlgorithm algorithm() {
            return key.algorithm();
        }

        @Override
        public byte[] sign(byte[] data) {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(latency);
                return key.sign(data);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public String description() {
            return "a device holding " + key.description();
        }

        @Override
        public boolean signsOnHostCpu() {
            return false;
        }
    }
}
