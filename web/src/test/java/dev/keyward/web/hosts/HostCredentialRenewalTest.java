package dev.keyward.web.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.web.service.HostCredentialService;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host credential renewal by proof of possession against the real server and PostgreSQL, with the host keys'
 * signatures made by {@code ssh-keygen -Y sign}: the old credential stays valid until the new one is used, every
 * bad input is a 4xx problem that changes nothing (the same challenge still renews afterwards), a used challenge
 * cannot be replayed, and an expired credential says how to re-enroll.
 */
class HostCredentialRenewalTest {
    static final String CHALLENGE = "/api/v1/agent/credential/challenge";
    static final String RENEW = "/api/v1/agent/credential";
    static final AtomicInteger N = new AtomicInteger();

    @TempDir
    static Path dir;
    static TestServer server;
    static Api api;
    static String admin;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create());
        api = server.api();
        admin = server.adminToken();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** An enrolled host: its id, credential, and the private key of its enrolled ed25519 host key. */
    record Host(long id, String credential, Path key, String keyLine, JsonNode enrollment) {
    }

    static Host enroll() throws Exception {
        String name = "r" + N.incrementAndGet() + ".example.com";
        Api.Resp created = api.post("/api/v1/hosts", admin, Map.of("hostname", name));
        assertEquals(201, created.status(), created.toString());
        Path key = Cmd.sshKeygen(Files.createDirectories(dir.resolve(name)), "ssh_host_ed25519_key", "ed25519", 0);
        String line = Files.readString(Path.of(key + ".pub")).strip();
        Api.Resp r = api.post("/api/v1/hosts/enroll", null, Map.of("join_token",
                created.json().get("join_token").asText(), "host_keys", List.of(line)));
        assertEquals(200, r.status(), r.toString());
        return new Host(created.json().get("id").asLong(), r.json().get("credential").asText(), key, line, r.json());
    }

    static String challenge(String credential) {
        Api.Resp r = api.post(CHALLENGE, credential, Map.of());
        assertEquals(200, r.status(), r.toString());
        return r.json().get("challenge").asText();
    }

    /** {@code ssh-keygen -Y sign} of {@code message} with {@code key} in {@code namespace}: the armored SSHSIG. */
    static String sign(Path key, String namespace, String message) {
        return Cmd.run(List.of("ssh-keygen", "-Y", "sign", "-f", key.toString(), "-n", namespace), null, Map.of(),
                message).orThrow().stdout();
    }

    static Map<String, Object> body(String challenge, String hostKey, String signature) {
        Map<String, Object> b = new HashMap<>();
        b.put("challenge", challenge);
        b.put("host_key", hostKey);
        b.put("signature", signature);
        return b;
    }

    static JsonNode hostView(long id) {
        for (JsonNode h : api.get("/api/v1/hosts?limit=1000", admin).json().get("items")) {
            if (h.get("id").asLong() == id) {
                return h;
            }
        }
        throw new AssertionError("no host " + id);
    }

    static int tokenCount() {
        return api.get("/api/v1/tokens?limit=1000", admin).json().get("items").size();
    }

    static void assertProblem(Api.Resp r, int status, String detailPart) {
        assertEquals(status, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertTrue(r.json().get("detail").asText().contains(detailPart), r.toString());
        assertEquals(r.json().get("detail").asText(), r.json().get("error").asText(), "the agent reads 'error'");
    }

    @Test
    void aSignedChallengeRenewsAndTheOldCredentialWorksUntilTheNewOneIsUsed() throws Exception {
        Host h = enroll();
        Instant issued = Instant.parse(h.enrollment().get("credential_issued_at").asText());
        Instant expires = Instant.parse(h.enrollment().get("credential_expires_at").asText());
        assertEquals(Duration.ofDays(365), Duration.between(issued, expires), "tokens.max_ttl");
        assertEquals(expires.toString(), hostView(h.id()).get("credential_expires_at").asText());
        assertEquals("active", hostView(h.id()).get("credential_status").asText());

        Api.Resp c = api.post(CHALLENGE, h.credential(), Map.of());
        assertEquals(200, c.status(), c.toString());
        assertEquals(expires.toString(), c.json().get("credential_expires_at").asText());
        assertEquals(issued.toString(), c.json().get("credential_issued_at").asText());
        assertTrue(Instant.parse(c.json().get("expires_at").asText()).isBefore(Instant.now().plusSeconds(301)));
        String challenge = c.json().get("challenge").asText();
        Map<String, Object> good = body(challenge, h.keyLine(), sign(h.key(), HostCredentialService.NAMESPACE,
                challenge));
        Api.Resp renewed = api.post(RENEW, h.credential(), good);
        assertEquals(200, renewed.status(), renewed.toString());
        String fresh = renewed.json().get("credential").asText();
        assertNotEquals(h.credential(), fresh);
        assertTrue(Instant.parse(renewed.json().get("expires_at").asText()).isAfter(expires));

        // the old one keeps working until the new one is used; a replay of the challenge is refused
        assertEquals(200, api.get("/api/v1/agent/state", h.credential()).status());
        assertProblem(api.post(RENEW, h.credential(), good), 409, "already used");
        assertEquals(expires.toString(), hostView(h.id()).get("credential_expires_at").asText());
        assertEquals(200, api.get("/api/v1/agent/state", fresh).status());
        Api.Resp old = api.get("/api/v1/agent/state", h.credential());
        assertEquals(401, old.status(), old.toString());
        assertTrue(old.json().get("detail").asText().contains("revoked"), old.toString());
        assertEquals(renewed.json().get("expires_at").asText(), hostView(h.id()).get("credential_expires_at").asText());

        // audited: the renewal and the switch to the new credential
        JsonNode audit = api.get("/api/v1/audit?subject=host:" + h.id(), admin).json().get("items");
        List<String> actions = new java.util.ArrayList<>();
        audit.forEach(e -> actions.add(e.get("action").asText()));
        assertTrue(actions.containsAll(List.of("host.credential_renew", "host.credential_activate")),
                actions.toString());

        // and the new credential renews in turn
        String next = challenge(fresh);
        assertEquals(200, api.post(RENEW, fresh, body(next, h.keyLine(), sign(h.key(), HostCredentialService.NAMESPACE,
                next))).status());
    }

    @Test
    void badInputsAre4xxAndChangeNothing() throws Exception {
        Host h = enroll();
        Host other = enroll();
        String challenge = challenge(h.credential());
        String ns = HostCredentialService.NAMESPACE;
        String goodSig = sign(h.key(), ns, challenge);
        Path stranger = Cmd.sshKeygen(dir, "stranger" + N.incrementAndGet(), "ed25519", 0);
        String strangerLine = Files.readString(Path.of(stranger + ".pub")).strip();
        Path ecdsa = Cmd.sshKeygen(dir, "ec" + N.incrementAndGet(), "ecdsa", 256);
        int tokens = tokenCount();
        String unknown = "kwc_" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);

        assertProblem(api.post(RENEW, h.credential(), Map.of("host_key", h.keyLine(), "signature", goodSig)), 400,
                "challenge is required");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, null, goodSig)), 400, "host_key is required");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, h.keyLine(), null)), 400,
                "signature is required");
        assertProblem(api.post(RENEW, h.credential(), body("kwc_short", h.keyLine(), goodSig)), 400,
                "challenge is malformed");
        assertProblem(api.post(RENEW, h.credential(), body(unknown, h.keyLine(), goodSig)), 400, "not known");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, "ssh-ed25519 AAAA", goodSig)), 400, "host_key");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, h.keyLine(), "not base64 at all!")), 400,
                "not valid base64");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, h.keyLine(),
                Base64.getEncoder().encodeToString("definitely not an SSHSIG".getBytes()))), 400, "SSHSIG");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, h.keyLine(), goodSig.replace(
                "-----END SSH SIGNATURE-----", ""))), 400, "signature");
        // a signature for another purpose (namespace), over other data, by a key the host did not enroll, by one
        // key while naming another, with another host's challenge
        assertProblem(api.post(RENEW, h.credential(), body(challenge, h.keyLine(), sign(h.key(), "file", challenge))),
                400, "namespace 'file'");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, h.keyLine(), sign(h.key(), ns, challenge + "x"))),
                403, "does not verify");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, h.keyLine(), sign(h.key(), ns, unknown))), 403,
                "does not verify");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, strangerLine, sign(stranger, ns, challenge))),
                403, "enrolled with");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, other.keyLine(), sign(other.key(), ns,
                challenge))), 403, "enrolled with");
        assertProblem(api.post(RENEW, h.credential(), body(challenge, h.keyLine(), sign(ecdsa, ns, challenge))), 400,
                "not host_key");
        String othersChallenge = challenge(other.credential());
        assertProblem(api.post(RENEW, h.credential(), body(othersChallenge, h.keyLine(), sign(h.key(), ns,
                othersChallenge))), 403, "another host");
        // an expired challenge (its row aged in the database)
        String aged = challenge(h.credential());
        server.db().execute("UPDATE host_credential_challenges SET expires_at = now() - interval '1 second'"
                + " WHERE id = (SELECT max(id) FROM host_credential_challenges WHERE host_id = " + h.id() + ")");
        assertProblem(api.post(RENEW, h.credential(), body(aged, h.keyLine(), sign(h.key(), ns, aged))), 400,
                "expired");

        // nothing changed: no credential was created, the old one works, and the challenge still renews once
        assertEquals(tokens, tokenCount());
        assertEquals(200, api.get("/api/v1/agent/state", h.credential()).status());
        assertEquals(200, api.post(RENEW, h.credential(), body(challenge, h.keyLine(), goodSig)).status());
        assertEquals(tokens + 1, tokenCount());
        // the other roles' tokens are not host credentials
        assertEquals(403, api.post(CHALLENGE, admin, Map.of()).status());
    }

    @Test
    void aRenewalThatWasNeverUsedIsReplacedByTheNextAndReEnrollmentRevokesIt() throws Exception {
        Host h = enroll();
        String c1 = challenge(h.credential());
        String lost = api.post(RENEW, h.credential(), body(c1, h.keyLine(), sign(h.key(),
                HostCredentialService.NAMESPACE, c1))).json().get("credential").asText();
        // the agent crashed before storing it: it renews again with the old credential, which still works
        String c2 = challenge(h.credential());
        String kept = api.post(RENEW, h.credential(), body(c2, h.keyLine(), sign(h.key(),
                HostCredentialService.NAMESPACE, c2))).json().get("credential").asText();
        assertEquals(401, api.get("/api/v1/agent/state", lost).status(), "the unused one is revoked");
        assertEquals(200, api.get("/api/v1/agent/state", h.credential()).status());
        // re-enrollment replaces the credential and the renewed one that waits
        Api.Resp jt = api.post("/api/v1/hosts/" + h.id() + "/join-token", admin, Map.of());
        assertEquals(201, jt.status(), jt.toString());
        Api.Resp again = api.post("/api/v1/hosts/enroll", null, Map.of("join_token",
                jt.json().get("join_token").asText(), "host_keys", List.of(h.keyLine())));
        assertEquals(200, again.status(), again.toString());
        assertEquals(401, api.get("/api/v1/agent/state", kept).status());
        assertEquals(401, api.get("/api/v1/agent/state", h.credential()).status());
        assertEquals(200, api.get("/api/v1/agent/state", again.json().get("credential").asText()).status());
    }

    @Test
    void anExpiredCredentialCannotRenewAndSaysHowToReEnroll() throws Exception {
        Host h = enroll();
        // age the credential in the database: it expired a second ago
        server.db().execute("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = (SELECT"
                + " token_id FROM hosts WHERE id = " + h.id() + ")");
        Thread.sleep(1100); // the authenticator trusts a token row it read for up to 1 s
        for (String path : List.of(CHALLENGE, "/api/v1/agent/state")) {
            Api.Resp r = path.equals(CHALLENGE) ? api.post(path, h.credential(), Map.of())
                    : api.get(path, h.credential());
            assertProblem(r, 401, "the host credential expired at ");
            String detail = r.json().get("detail").asText();
            assertTrue(detail.contains("re-enroll") && detail.contains("POST /api/v1/hosts/" + h.id() + "/join-token")
                    && detail.contains("keyward-agent enroll"), detail);
            assertNotNull(r.header("WWW-Authenticate"));
        }
        assertEquals("expired", hostView(h.id()).get("credential_status").asText());
        // re-enrollment with a new join token, as the message says
        Api.Resp jt = api.post("/api/v1/hosts/" + h.id() + "/join-token", admin, Map.of());
        Api.Resp again = api.post("/api/v1/hosts/enroll", null, Map.of("join_token",
                jt.json().get("join_token").asText(), "host_keys", List.of(h.keyLine())));
        assertEquals(200, again.status(), again.toString());
        assertEquals(200, api.get("/api/v1/agent/state", again.json().get("credential").asText()).status());
        assertEquals("active", hostView(h.id()).get("credential_status").asText());
    }
}
