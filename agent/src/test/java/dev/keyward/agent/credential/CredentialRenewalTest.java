package dev.keyward.agent.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.testing.CliRun;
import dev.keyward.agent.testing.StubServer;
import dev.keyward.agent.testing.TestRoot;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.testing.Cmd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of credential renewal against a stand-in server whose renewal route checks the signature with
 * {@code ssh-keygen -Y check-novalidate} (OpenSSH as the oracle): renewal at two thirds of the lifetime and not
 * before, the new credential stored 0600 and used by the rest of the cycle, the next host key tried when the
 * server refuses one, a failed renewal that keeps the old credential and backs off, an expiry learned from the
 * server, and an expired credential that says how to re-enroll.
 */
class CredentialRenewalTest {
    static final String RENEWED = "kwt_" + "R".repeat(43);

    @TempDir
    Path tmp;
    Path root;
    Path credentialFile;
    Path infoFile;

    @BeforeEach
    void setUp() throws Exception {
        root = tmp.resolve("root");
        TestRoot t = new TestRoot(root);
        t.account("nobody-here", 4242);
        Cmd.sshKeygen(root.resolve("etc/ssh"), "ssh_host_ed25519_key", "ed25519", 0);
        Files.createDirectories(root.resolve("var/log"));
        credentialFile = root.resolve("var/lib/keyward-agent/credential");
        infoFile = root.resolve("var/lib/keyward-agent/credential.json");
    }

    CliRun agent(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--root", root.toString()));
        return CliRun.run(a.toArray(String[]::new));
    }

    /** A stub that enrolls with a credential of this lifetime and serves an empty state. */
    StubServer server(Instant issued, Instant expires) throws Exception {
        StubServer s = new StubServer();
        s.enroll = req -> Json.write(Map.of("host_id", "h-7", "credential", StubServer.CREDENTIAL,
                "credential_issued_at", issued.toString(), "credential_expires_at", expires.toString(),
                "host_certs", List.of()));
        s.state = Json.write(new AgentState("h-7", "managed", Map.of(), new AgentState.Trust(List.of(), 1),
                new AgentState.KrlRef(1, "/api/v1/krl", null), null));
        Path krl = tmp.resolve("krl");
        Cmd.run(List.of("ssh-keygen", "-q", "-k", "-z", "1", "-f", krl.toString(), "/dev/null")).orThrow();
        s.krl = Files.readAllBytes(krl);
        return s;
    }

    void enroll(StubServer s) throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "jt-1\n");
        CliRun r = agent("enroll", "--server", s.url(), "--join-token-file", token.toString());
        assertEquals(0, r.code(), r.err());
    }

    /** Challenges as the server would issue them, with the lifetime the stub's credential has. */
    static void offerChallenges(StubServer s, Instant issued, Instant expires, List<String> issuedChallenges) {
        AtomicInteger n = new AtomicInteger();
        s.credentialChallenge = req -> {
            String c = "kwc_challenge-" + n.incrementAndGet();
            issuedChallenges.add(c);
            return Json.write(Map.of("challenge", c, "expires_at", Instant.now().plusSeconds(300).toString(),
                    "credential_issued_at", issued.toString(), "credential_expires_at", expires.toString()));
        };
    }

    /** ssh-keygen's verdict on an SSHSIG over {@code message} in the renewal namespace (any key). */
    boolean opensshAccepts(String signature, String message) throws Exception {
        Path sig = Files.writeString(Files.createTempFile(tmp, "sig", ".sig"), signature);
        return Cmd.run(List.of("ssh-keygen", "-Y", "check-novalidate", "-n", HostKeySigner.NAMESPACE, "-s",
                sig.toString()), null, Map.of(), message).exitCode() == 0;
    }

    @Test
    void renewsAtTwoThirdsOfItsLifetimeWithAHostKeySignatureAndUsesTheNewCredential() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant issued = now.minus(Duration.ofMinutes(20));
        Instant expires = now.plus(Duration.ofMinutes(9)); // two thirds of 29 min: 19 min 20 s, passed
        List<String> challenges = new ArrayList<>();
        List<Map<String, Object>> requests = new ArrayList<>();
        try (StubServer s = server(issued, expires)) {
            enroll(s);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(infoFile)));
            offerChallenges(s, issued, expires, challenges);
            s.renewCredential = req -> {
                requests.add(req);
                try {
                    boolean ok = challenges.contains((String) req.get("challenge"))
                            && opensshAccepts((String) req.get("signature"), (String) req.get("challenge"));
                    if (!ok) {
                        return new StubServer.Reply(403, "{\"error\":\"bad signature\"}".getBytes());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                s.credentials.add(RENEWED);
                return new StubServer.Reply(200, Json.write(Map.of("credential", RENEWED, "issued_at",
                        now.toString(), "expires_at", now.plus(Duration.ofHours(1)).toString())));
            };
            CliRun r = agent("once");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("host credential renewed; the new one expires at "
                    + now.plus(Duration.ofHours(1))), r.out());
            assertEquals(1, requests.size());
            String[] pub = Files.readString(root.resolve("etc/ssh/ssh_host_ed25519_key.pub")).split(" ");
            assertEquals(pub[0] + " " + pub[1], requests.get(0).get("host_key"));
            // stored before use, 0600; the rest of the cycle used it
            assertEquals(RENEWED + "\n", Files.readString(credentialFile));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentialFile)));
            assertTrue(s.authenticated.contains("/api/v1/agent/state " + RENEWED), s.authenticated.toString());
            assertFalse(s.authenticated.stream().anyMatch(a -> a.startsWith("/api/v1/agent/state ")
                    && !a.endsWith(RENEWED)), s.authenticated.toString());
            // the private key's path went to nobody: the request carries the public key line and the signature
            assertFalse(new String(Json.write(requests.get(0)), StandardCharsets.UTF_8).contains("ssh_host_"));

            // not due again for 40 minutes: the next cycle asks nothing
            s.requests.clear();
            assertEquals(0, agent("once").code());
            assertFalse(s.requests.stream().anyMatch(q -> q.contains("/credential")), s.requests.toString());
            CliRun status = agent("status", "--json");
            Map<String, Object> st = Json.parseObject(status.out().getBytes(StandardCharsets.UTF_8));
            assertEquals(now.plus(Duration.ofHours(1)).toString(), st.get("credential_expires_at"));
            assertEquals("from " + now.plus(Duration.ofMinutes(40)), st.get("credential_renewal"));
            assertNull(st.get("credential_renewal_error"));
        }
    }

    @Test
    void notBeforeTwoThirdsOfTheLifetime() throws Exception {
        Instant now = Instant.now();
        try (StubServer s = server(now.minus(Duration.ofMinutes(10)), now.plus(Duration.ofMinutes(21)))) {
            enroll(s);
            offerChallenges(s, now, now, new ArrayList<>());
            assertEquals(0, agent("once").code());
            assertFalse(s.requests.stream().anyMatch(q -> q.contains("/credential")), s.requests.toString());
        }
    }

    @Test
    void aKeyTheServerRefusesMakesTheAgentTryTheNextOne() throws Exception {
        Cmd.sshKeygen(root.resolve("etc/ssh"), "ssh_host_ecdsa_key", "ecdsa", 256); // sorts before ed25519
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<String> tried = new ArrayList<>();
        try (StubServer s = server(now.minus(Duration.ofHours(2)), now.plus(Duration.ofMinutes(30)))) {
            enroll(s);
            offerChallenges(s, now.minus(Duration.ofHours(2)), now.plus(Duration.ofMinutes(30)), new ArrayList<>());
            s.renewCredential = req -> {
                String key = (String) req.get("host_key");
                tried.add(key.split(" ")[0]);
                if (key.startsWith("ecdsa")) {
                    return new StubServer.Reply(403, "{\"error\":\"not an enrolled key\"}".getBytes());
                }
                s.credentials.add(RENEWED);
                return new StubServer.Reply(200, Json.write(Map.of("credential", RENEWED, "issued_at",
                        now.toString(), "expires_at", now.plus(Duration.ofHours(3)).toString())));
            };
            CliRun r = agent("once");
            assertEquals(0, r.code(), r.err());
            assertEquals(List.of("ecdsa-sha2-nistp256", "ssh-ed25519"), tried);
            assertEquals(RENEWED + "\n", Files.readString(credentialFile));
        }
    }

    @Test
    void aFailedRenewalKeepsTheOldCredentialAndBacksOff() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant issued = now.minus(Duration.ofHours(2));
        Instant expires = now.plus(Duration.ofMinutes(30));
        try (StubServer s = server(issued, expires)) {
            enroll(s);
            offerChallenges(s, issued, expires, new ArrayList<>());
            // a server error, then an answer without a usable credential: nothing is stored either time
            s.renewCredential = req -> new StubServer.Reply(503, "{\"error\":\"database unavailable\"}".getBytes());
            CliRun r = agent("once");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("failed: credential: renewal failed: POST /api/v1/agent/credential answered"
                    + " 503: database unavailable (next attempt after "), r.err());
            assertEquals(StubServer.CREDENTIAL + "\n", Files.readString(credentialFile));
            assertTrue(s.authenticated.contains("/api/v1/agent/state " + StubServer.CREDENTIAL), "the rest ran");
            Map<String, Object> st = Json.parseObject(agent("status", "--json").out().getBytes(StandardCharsets.UTF_8));
            assertTrue(((String) st.get("credential_renewal")).startsWith("failed 1 time(s); next attempt after "), st
                    .toString());
            assertTrue(((String) st.get("credential_renewal_error")).contains("503"), st.toString());

            // backing off: the next cycles run without asking (and succeed)
            s.requests.clear();
            assertEquals(0, agent("once").code());
            assertFalse(s.requests.stream().anyMatch(q -> q.contains("/credential")), s.requests.toString());

            // once the backoff is over it tries again; an answer without a credential stores nothing
            Map<String, Object> info = Json.parseObject(Files.readAllBytes(infoFile));
            Files.write(infoFile, Json.write(new CredentialInfo((String) info.get("issued_at"),
                    (String) info.get("expires_at"), null, 1, now.minusSeconds(1).toString(), "earlier")));
            s.renewCredential = req -> new StubServer.Reply(200, "{\"credential\":\"\"}".getBytes());
            r = agent("once");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("no usable credential"), r.err());
            assertEquals(StubServer.CREDENTIAL + "\n", Files.readString(credentialFile));
            assertEquals(2L, Json.parseObject(Files.readAllBytes(infoFile)).get("failures"));
        }
    }

    @Test
    void anExpiryTheEnrollmentDidNotStateIsLearnedFromTheServer() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (StubServer s = server(now, now)) {
            s.enroll = req -> Json.write(Map.of("host_id", "h-7", "credential", StubServer.CREDENTIAL,
                    "host_certs", List.of())); // an older server: no lifetime
            enroll(s);
            assertTrue(((String) Json.parseObject(agent("status", "--json").out().getBytes(StandardCharsets.UTF_8))
                    .get("credential_expires_at")).startsWith("unknown"));
            // a server without renewal: a warning, the cycle succeeds, and it is asked again only in an hour
            CliRun r = agent("once");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("warning: credential: the server does not offer credential renewal"), r.err());
            s.requests.clear();
            assertEquals(0, agent("once").code());
            assertFalse(s.requests.stream().anyMatch(q -> q.contains("/credential")), s.requests.toString());
            // a server with renewal states the lifetime with the challenge; not due yet, so no renewal
            Files.delete(infoFile);
            offerChallenges(s, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(364)), new ArrayList<>());
            r = agent("once");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("host credential expires at " + now.plus(Duration.ofDays(364))), r.out());
            assertEquals(now.plus(Duration.ofDays(364)).toString(),
                    Json.parseObject(Files.readAllBytes(infoFile)).get("expires_at"));
            assertEquals(StubServer.CREDENTIAL + "\n", Files.readString(credentialFile));
        }
    }

    @Test
    void anExpiredCredentialSaysHowToReEnroll() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (StubServer s = server(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)))) {
            enroll(s);
            offerChallenges(s, now, now, new ArrayList<>());
            CliRun r = agent("once");
            assertEquals(1, r.code());
            String expected = "the host credential expired at " + now.minus(Duration.ofDays(1)) + " and cannot be"
                    + " renewed: re-enroll this host with a new join token (an admin calls POST /api/v1/hosts/h-7/"
                    + "join-token, then run 'keyward-agent enroll --join-token-file FILE' here)";
            assertTrue(r.err().contains("failed: credential: " + expected), r.err());
            assertFalse(s.requests.stream().anyMatch(q -> q.contains("/credential")), "it cannot be renewed");
            CliRun status = agent("status");
            assertTrue(status.out().contains("credential_renewal: expired: " + expected), status.out());
        }
    }
}
