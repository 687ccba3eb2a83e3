package dev.keyward.web.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.SoftHsm;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SoftHSM2 token holding both CA keys disappears under a running server (its directory is moved away) and
 * comes back, while a client keeps asking for certificates: meanwhile every request gets 503 problem+json with
 * Retry-After within a few seconds and {@code /readyz} names both signers as down, saying why; once the token is
 * back, issuance works again by itself within 30 s, with the same CA keys, and sshd accepts the new certificates.
 * The audit key, which the server created beside the user CA key in the same token, goes down and comes back with
 * them, and signs a checkpoint afterwards.
 */
class SoftHsmTokenOutageTest {
    static final String USER = Sshd.currentUser();
    static final String POLICY = "policy:\n  rules:\n"
            + "    - name: engineers\n      cert_type: user\n      roles: [engineer]\n"
            + "      principals: [" + USER + "]\n      default_ttl: 10m\n      max_ttl: 1h\n"
            + "    - name: hosts\n      cert_type: host\n      roles: [host]\n"
            + "      default_ttl: 1d\n      max_ttl: 7d\n";
    /** How long a request may take while the token is away. */
    static final Duration MAX_WAIT = Duration.ofSeconds(5);
    static final Duration RECOVERY = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** One certificate request as the client saw it; {@code start} and {@code end} are System.nanoTime(). */
    record Request(long start, long end, int status, String contentType, String retryAfter, String certificate,
            String body) {
        Duration took() {
            return Duration.ofNanos(end - start);
        }
    }

    @Test
    void tokenAwayGives503AndIssuanceRecoversByItselfOnceItIsBack() throws Exception {
        SoftHsm.Token token = SoftHsm.newToken();
        String userUri = token.uri("user-ca").toString();
        String hostUri = token.uri("host-ca").toString();
        SshPublicKey userCa;
        SshPublicKey hostCa;
        try (CaSigner u = Signers.create(userUri, CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()));
                CaSigner h = Signers.create(hostUri, CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()))) {
            userCa = u.publicKey();
            hostCa = h.publicKey();
        }
        Path identity = Cmd.sshKeygen(dir, "engineer_key", "ed25519", 0);
        String publicKey = Files.readString(Path.of(identity + ".pub"));
        TestServer server = TestServer.start(dir.resolve("home"), TestDatabases.create(),
                "ca:\n  user_key: \"" + userUri + "\"\n  host_key: \"" + hostUri + "\"\n" + POLICY);
        ExecutorService client = Executors.newSingleThreadExecutor();
        AtomicBoolean stop = new AtomicBoolean();
        List<Request> requests = new CopyOnWriteArrayList<>();
        Path tokenDir = token.directory();
        // outside the token directory: SoftHSM2 takes every directory in it for a token
        Path aside = tokenDir.getParent().resolveSibling(tokenDir.getFileName() + ".away");
        try {
            Api api = server.api();
            String engineer = server.token("engineer", "outage-user");
            assertEquals(200, api.get("/readyz", null).status());
            Future<?> loop = client.submit(() -> issueUntilStopped(api, engineer, publicKey, stop, requests));

            await(() -> count(requests, r -> r.status() == 201) >= 3, Duration.ofSeconds(20), "first certificates");
            long away = System.nanoTime();
            Files.move(tokenDir, aside, StandardCopyOption.ATOMIC_MOVE);
            Thread.sleep(3000);
            Api.Resp ready = api.get("/readyz", null);
            Thread.sleep(2000);
            long back = System.nanoTime();
            Files.move(aside, tokenDir, StandardCopyOption.ATOMIC_MOVE);

            await(() -> requests.stream().anyMatch(r -> r.start() > back && r.status() == 201), RECOVERY,
                    "a certificate after the token came back");
            long recovered = requests.stream().filter(r -> r.start() > back && r.status() == 201)
                    .mapToLong(Request::end).min().orElseThrow();
            await(() -> count(requests, r -> r.start() > recovered && r.status() == 201) >= 3, Duration.ofSeconds(20),
                    "more certificates after recovery");
            stop.set(true);
            loop.get(60, TimeUnit.SECONDS);

            // while away: 503 problem+json with Retry-After, quickly, for every request
            List<Request> during = requests.stream()
                    .filter(r -> r.start() > away + 100_000_000L && r.end() < back).toList();
            assertTrue(during.size() >= 5, "too few requests while the token was away: " + during.size());
            for (Request r : during) {
                assertEquals(503, r.status(), r.toString());
                assertTrue(r.contentType().startsWith("application/problem+json"), r.toString());
                assertNotNull(r.retryAfter(), "no Retry-After: " + r);
                assertTrue(r.took().compareTo(MAX_WAIT) < 0, "a request waited " + r.took());
            }
            for (Request r : requests) {
                assertTrue(r.status() == 201 || r.status() == 503, "neither issued nor 503: " + r);
            }
            assertTrue(Duration.ofNanos(recovered - back).compareTo(RECOVERY) < 0);

            // /readyz said which signers were down and why, keeping the 200 response's checks
            assertEquals(503, ready.status(), ready.toString());
            assertTrue(ready.contentType().startsWith("application/problem+json"), ready.toString());
            assertEquals("5", ready.header("Retry-After"));
            JsonNode checks = ready.json().get("checks");
            assertEquals("up", checks.get("database").asText(), ready.toString());
            assertEquals("down", checks.get("user_ca_signer").asText(), ready.toString());
            assertEquals("down", checks.get("host_ca_signer").asText(), ready.toString());
            String why = ready.json().get("reasons").get("user_ca_signer").asText();
            assertTrue(why.startsWith("PKCS#11 key 'user-ca' on token '" + token.label() + "' is unavailable: "), why);
            assertTrue(why.contains("; reconnecting since "), why);
            assertTrue(ready.json().get("reasons").get("host_ca_signer").asText().contains("'host-ca'"),
                    ready.toString());
            assertEquals("down", checks.get("audit_signer").asText(), ready.toString());
            assertTrue(ready.json().get("reasons").get("audit_signer").asText().startsWith("PKCS#11 key 'audit-key'"
                    + " on token '" + token.label() + "' is unavailable: "), ready.toString());
            assertTrue(ready.json().get("detail").asText().startsWith("not ready: user_ca_signer down ("),
                    ready.toString());

            // the signatures that failed while the token was away are counted (keyward_signer_errors_total)
            String metrics = api.get("/metrics", null).body();
            java.util.regex.Matcher errors = java.util.regex.Pattern.compile(
                    "(?m)^keyward_signer_errors_total\\{type=\"user\"\\} (\\S+)$").matcher(metrics);
            assertTrue(errors.find() && Double.parseDouble(errors.group(1)) >= 1, metrics);

            // afterwards: ready again (the host signer too, with no host certificate asked for), same CA keys
            await(() -> api.get("/readyz", null).status() == 200, RECOVERY, "/readyz 200 again");
            assertEquals(userCa.toOpenSshWithoutComment() + "\n", api.get("/api/v1/ca/user", null).body());
            String host = server.token("host", "outage-host", "outage-host.example.com");
            Api.Resp h = api.post("/api/v1/certs/host", host, Map.of("public_key",
                    Files.readString(Path.of(Cmd.sshKeygen(dir, "host_key", "ed25519", 0) + ".pub"))));
            assertEquals(201, h.status(), h.toString());
            assertEquals(hostCa, CertificateCodec.decodeLine(h.json().get("certificate").asText()).caKey());
            // the audit key, in the same token, signs checkpoints again (it was created there on first start)
            try (CaSigner audit = Signers.open(token.uri("audit-key").toString(), SecretSource.of(Map.of()))) {
                assertEquals(audit.publicKey().toOpenSshWithoutComment(),
                        api.get("/api/v1/audit/key", null).json().get("public_key").asText());
            }
            server.server().services().checkpoints().checkpointNow();
            JsonNode verify = api.get("/api/v1/audit/verify", server.adminToken()).json();
            assertTrue(verify.get("ok").asBoolean(), verify.toString());
            assertEquals(verify.get("head_seq").asLong(), verify.get("checkpoints").get("newest_seq").asLong(),
                    verify.toString());

            // every certificate verifies against the user CA key (decodeLine checks the signature), and sshd,
            // trusting only that key, accepts one issued after the recovery
            List<Request> issued = requests.stream().filter(r -> r.status() == 201).toList();
            for (Request r : issued) {
                SignedCertificate cert = CertificateCodec.decodeLine(r.certificate());
                assertEquals(userCa, cert.caKey());
            }
            Request after = issued.get(issued.size() - 1);
            assertTrue(after.start() > back);
            Path certFile = Files.writeString(Path.of(identity + "-cert.pub"), after.certificate() + "\n");
            Path trusted = Files.writeString(dir.resolve("trusted_user_ca_keys"),
                    userCa.toOpenSshWithoutComment() + "\n");
            try (Sshd sshd = Sshd.start(dir.resolve("sshd"), null, List.of("TrustedUserCAKeys " + trusted))) {
                Cmd.Result login = sshd.login(USER, identity, certFile, null);
                assertEquals(0, login.exitCode(), login.stderr() + "\n" + sshd.log());
                assertTrue(sshd.log().contains("Accepted publickey for " + USER + " from 127.0.0.1"), sshd.log());
            }
        } finally {
            stop.set(true);
            client.shutdownNow();
            client.awaitTermination(30, TimeUnit.SECONDS);
            if (Files.exists(aside)) {
                Files.move(aside, tokenDir, StandardCopyOption.ATOMIC_MOVE);
            }
            server.close();
        }
    }

    /** The client: one request after the other, 50 ms apart, until stopped (at most 2,000 or 120 s). */
    private static Void issueUntilStopped(Api api, String engineer, String publicKey, AtomicBoolean stop,
            List<Request> out) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int i = 0; i < 2000 && !stop.get() && System.nanoTime() < deadline; i++) {
            long start = System.nanoTime();
            Api.Resp r = api.post("/api/v1/certs/user", engineer, Map.of("public_key", publicKey));
            long end = System.nanoTime();
            out.add(new Request(start, end, r.status(), r.contentType(), r.header("Retry-After"),
                    r.status() == 201 ? r.json().get("certificate").asText() : null, r.body()));
            Thread.sleep(50);
        }
        return null;
    }

    private static long count(List<Request> requests, Predicate<Request> p) {
        return requests.stream().filter(p).count();
    }

    private static void await(java.util.function.BooleanSupplier done, Duration within, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + ": not within " + within);
    }
}
