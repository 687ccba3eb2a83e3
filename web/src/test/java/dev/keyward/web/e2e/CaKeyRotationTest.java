package dev.keyward.web.e2e;

import static dev.keyward.web.e2e.RotationFleet.HOSTNAME;
import static dev.keyward.web.e2e.RotationFleet.USER;
import static dev.keyward.web.e2e.RotationFleet.await;
import static dev.keyward.web.e2e.RotationFleet.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.web.e2e.RotationFleet.Issued;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.ServerCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA key lifecycle end to end, with real components: CA keys in SoftHSM2 (their destruction checked by
 * {@code pkcs11-tool} in another process), the real agent installing the trust bundle, the KRL and host
 * certificates, a real sshd judging user certificates and a real ssh client judging host certificates through
 * {@code @cert-authority} lines. Retired keys leave the trust bundle when their last certificate expires, so the
 * certificates in these tests live seconds (each test waits for that once).
 */
class CaKeyRotationTest {
    static final String POLICY = "policy:\n  rules:\n"
            + "    - name: engineers\n      cert_type: user\n      roles: [engineer]\n"
            + "      principals: [" + USER + "]\n      default_ttl: 10m\n      max_ttl: 1h\n"
            + "    - name: hosts\n      cert_type: host\n      roles: [host]\n      default_ttl: %s\n      max_ttl: 7d\n";

    @TempDir
    Path tmp;

    /**
     * rotate → an agent cycle installs both keys → certificates from the old and the new key both log in →
     * activate → new certificates come from the new key → the old key's certificates expire and it leaves the
     * trust bundle (and the host's file) → destroy deletes it from the token → its certificates are refused. On the
     * way: activation is refused while the recently seen host lags, destroy is refused for the active key and for
     * the retired key while its certificates are valid.
     */
    @Test
    void userCaRotationEndToEnd() throws Exception {
        try (RotationFleet f = RotationFleet.start(tmp, POLICY.formatted("1d"))) {
            Path config = f.server.configFile();
            JsonNode oldKey = f.key("user", "active");
            long oldId = oldKey.get("id").asLong();
            Issued early = f.issue("early", "20s");
            assertEquals(oldKey.get("fingerprint").asText(), early.caFingerprint());
            assertEquals(0, f.login(early).exitCode(), f.sshdLog());

            // rotate (CLI): the new key is pending, in the trust bundle at once, in the same token
            ServerCli.Run rotated = ServerCli.run("ca", "rotate", "--purpose", "user", "--config", config.toString());
            assertEquals(0, rotated.code(), rotated.output());
            JsonNode pending = f.key("user", "pending");
            long newId = pending.get("id").asLong();
            assertTrue(f.onToken(pending), "the new key was generated in the token");
            List<String> bundle = lines(f.api.get("/api/v1/ca/user", null).body());
            assertEquals(List.of(oldKey.get("public_key").asText(), pending.get("public_key").asText()), bundle);
            assertEquals(409, f.api.post("/api/v1/ca/keys", f.admin, Map.of("purpose", "user")).status(),
                    "a second rotation while a key is pending");

            // the host's agent has not installed it yet: activation is refused (API and CLI), naming the host
            Api.Resp tooEarly = f.api.post("/api/v1/ca/keys/" + newId + "/activate", f.admin,
                    Map.of("purpose", "user"));
            assertEquals(409, tooEarly.status(), tooEarly.toString());
            assertTrue(tooEarly.body().contains(HOSTNAME), tooEarly.toString());
            ServerCli.Run earlyCli = ServerCli.run("ca", "activate", "--purpose", "user", "--key",
                    Long.toString(newId), "--config", config.toString());
            assertEquals(1, earlyCli.code(), earlyCli.output());
            assertTrue(earlyCli.err().contains(HOSTNAME), earlyCli.err());
            assertEquals("pending", f.key(newId).get("state").asText());

            // one agent cycle: the host trusts both keys and reports it
            f.agentCycle();
            assertEquals(bundle, lines(Files.readString(f.trusted)));
            JsonNode progress = f.caKeys().get("progress").get(0);
            assertEquals(1, progress.get("current").asInt(), progress.toString());
            assertTrue(progress.get("summary").asText().startsWith("1 of 1 enrolled hosts trust user CA key " + newId),
                    progress.toString());
            ServerCli.Run status = ServerCli.run("ca", "status", "--config", config.toString());
            assertEquals(0, status.code(), status.output());
            assertTrue(status.out().contains("1 of 1 enrolled hosts trust user CA key " + newId), status.out());
            assertTrue(status.out().contains(" pending "), status.out());
            // the old key still signs until the activation; its certificates live 40 s here
            Issued old = f.issue("old", "40s");
            assertEquals(oldKey.get("fingerprint").asText(), old.caFingerprint());
            assertEquals(0, f.login(old).exitCode(), "the old key's certificate still logs in: " + f.sshdLog());

            // activate (API): the new key signs, the old one is retired
            Api.Resp activated = f.api.post("/api/v1/ca/keys/" + newId + "/activate", f.admin,
                    Map.of("purpose", "user"));
            assertEquals(200, activated.status(), activated.toString());
            assertEquals("active", activated.json().get("state").asText());
            assertEquals("retired", f.key(oldId).get("state").asText());
            Issued fresh = f.issue("new", "10m");
            assertEquals(pending.get("fingerprint").asText(), fresh.caFingerprint());
            assertEquals(0, f.login(fresh).exitCode(), f.sshdLog());
            assertTrue(f.sshdLog().contains("(serial " + fresh.serial() + ") CA ECDSA " + fresh.caFingerprint()),
                    f.sshdLog());
            assertEquals(0, f.login(old).exitCode(), "both keys' certificates log in: " + f.sshdLog());

            // destroy is refused for the active key and for the retired key while its certificate is valid
            Api.Resp active = f.api.post("/api/v1/ca/keys/" + newId + "/destroy", f.admin, Map.of("purpose", "user"));
            assertEquals(409, active.status(), active.toString());
            Api.Resp stillNeeded = f.api.post("/api/v1/ca/keys/" + oldId + "/destroy", f.admin,
                    Map.of("purpose", "user"));
            assertEquals(409, stillNeeded.status(), stillNeeded.toString());
            assertTrue(stillNeeded.body().contains("still valid"), stillNeeded.toString());
            assertTrue(f.onToken(oldKey), "a refused destroy leaves the key in the token");

            // the old key's last certificate expires: the key leaves the trust bundle, then the host's file
            assertTrue(await(90, () -> lines(f.api.get("/api/v1/ca/user", null).body()).size() == 1),
                    "the retired key left the trust bundle after its last certificate expired: " + f.caKeys());
            assertEquals(List.of(pending.get("public_key").asText()),
                    lines(f.api.get("/api/v1/ca/user", null).body()));
            f.agentCycle();
            assertEquals(List.of(pending.get("public_key").asText()), lines(Files.readString(f.trusted)));

            // destroy (CLI): the token object is gone for another process; the new key is still there
            ServerCli.Run destroyed = ServerCli.run("ca", "destroy", "--purpose", "user", "--key",
                    Long.toString(oldId), "--config", config.toString());
            assertEquals(0, destroyed.code(), destroyed.output());
            assertEquals("destroyed", f.key(oldId).get("state").asText());
            assertEquals(oldKey.get("fingerprint").asText(), f.key(oldId).get("fingerprint").asText(),
                    "the public key stays on record");
            assertFalse(f.onToken(oldKey), "pkcs11-tool still lists the destroyed key");
            assertTrue(f.onToken(pending));
            ServerCli.Run again = ServerCli.run("ca", "destroy", "--purpose", "user", "--key", Long.toString(oldId),
                    "--config", config.toString());
            assertEquals(1, again.code(), again.output());

            // its certificates are refused; the new key's still log in
            Cmd.Result refused = f.login(old);
            assertNotEquals(0, refused.exitCode(), "a certificate by the destroyed key logged in: " + f.sshdLog());
            assertEquals(0, f.login(fresh).exitCode(), f.sshdLog());
            for (String action : List.of("ca_key.rotate", "ca_key.activate", "ca_key.trust_end", "ca_key.destroy")) {
                JsonNode entries = f.api.get("/api/v1/audit?action=" + action, f.admin).json().get("items");
                assertEquals(1, entries.size(), action + " is audited once: " + entries);
            }
        }
    }

    /**
     * Host CA rotation: the new host key is listed by {@code /ca/host} from the rotation on, the agent renews the
     * host certificate from it within one cycle of the activation, and a client trusting every listed key never
     * sees a host certificate it cannot check; once the old key's host certificates expired it leaves
     * {@code /ca/host} and is destroyed.
     */
    @Test
    void hostCaRotationEndToEnd() throws Exception {
        try (RotationFleet f = RotationFleet.start(tmp, POLICY.formatted("45s"))) {
            JsonNode oldKey = f.key("host", "active");
            long oldId = oldKey.get("id").asLong();
            Issued user = f.issue("hank", "1h");
            assertEquals(0, f.login(user).exitCode(), f.sshdLog());

            Api.Resp rotated = f.api.post("/api/v1/ca/keys", f.admin, Map.of("purpose", "host"));
            assertEquals(201, rotated.status(), rotated.toString());
            long newId = rotated.json().get("id").asLong();
            assertEquals("pending", rotated.json().get("state").asText());
            String both = f.writeKnownHosts();
            assertEquals(2, lines(both).size(), both);
            assertEquals(0, f.login(user).exitCode(), "the old host certificate is still trusted: " + f.sshdLog());

            // host keys are not waited for (clients check host certificates): activation goes through at once
            Api.Resp activated = f.api.post("/api/v1/ca/keys/" + newId + "/activate", f.admin,
                    Map.of("purpose", "host"));
            assertEquals(200, activated.status(), activated.toString());
            f.agentCycle();
            String newFp = activated.json().get("fingerprint").asText();
            assertEquals(newFp, CertificateCodec.decodeLine(Files.readString(f.hostCert).strip()).caKey()
                    .fingerprint(), "the agent renewed the host certificate from the new host CA key in one cycle");
            f.writeKnownHosts();
            assertEquals(0, f.login(user).exitCode(), f.sshdLog());

            // a client that trusts only the old host key refuses the renewed host certificate
            Path onlyOld = tmp.resolve("known_hosts_old");
            Files.writeString(onlyOld, "@cert-authority [127.0.0.1]:" + f.sshd.port() + " "
                    + oldKey.get("public_key").asText() + "\n");
            Cmd.Result r = f.sshd.login(USER, user.key(), user.cert(), onlyOld);
            assertNotEquals(0, r.exitCode());
            assertTrue(r.stderr().contains("Host key verification failed"), r.stderr());

            // the old key's host certificates expire: it leaves /ca/host and can be destroyed
            assertTrue(await(90, () -> lines(f.api.get("/api/v1/ca/host", null).body()).size() == 1),
                    "the retired host key left /ca/host: " + f.caKeys());
            assertEquals(List.of("@cert-authority * " + activated.json().get("public_key").asText()),
                    lines(f.api.get("/api/v1/ca/host", null).body()));
            Api.Resp destroyed = f.api.post("/api/v1/ca/keys/" + oldId + "/destroy", f.admin,
                    Map.of("purpose", "host"));
            assertEquals(200, destroyed.status(), destroyed.toString());
            assertFalse(f.onToken(oldKey), "pkcs11-tool still lists the destroyed host key");

            // the host renews from the new key (its 45 s certificate is due) and the client, trusting only what
            // /ca/host lists now, still logs in
            f.agentCycle();
            f.writeKnownHosts();
            assertEquals(0, f.login(user).exitCode(), f.sshdLog());
        }
    }

    /**
     * Emergency revocation of the active user CA key: after one agent cycle sshd refuses every certificate it
     * signed (its public key is in the KRL the agent installed), and a certificate from the replacement key, which
     * was created and activated in the same step, logs in. Then the host CA key: ssh refuses the host certificate
     * it signed until the agent has renewed it from the replacement.
     */
    @Test
    void revokedUserCaKeyIsRefusedBySshdAfterOneAgentCycle() throws Exception {
        try (RotationFleet f = RotationFleet.start(tmp, POLICY.formatted("1d"))) {
            JsonNode compromised = f.key("user", "active");
            long id = compromised.get("id").asLong();
            Issued a = f.issue("a", "1h");
            Issued b = f.issue("b", "1h");
            assertEquals(0, f.login(a).exitCode(), f.sshdLog());

            Api.Resp noReason = f.api.post("/api/v1/ca/keys/" + id + "/revoke", f.admin, Map.of("purpose", "user"));
            assertEquals(400, noReason.status(), noReason.toString());
            assertTrue(noReason.body().contains("reason"), noReason.toString());
            Api.Resp r = f.api.post("/api/v1/ca/keys/" + id + "/revoke", f.admin,
                    Map.of("purpose", "user", "reason", "key material exposed"));
            assertEquals(200, r.status(), r.toString());
            assertEquals("revoked", r.json().get("key").get("state").asText());
            JsonNode replacement = r.json().get("replacement");
            assertEquals("active", replacement.get("state").asText(), r.toString());
            assertEquals(List.of(replacement.get("public_key").asText()),
                    lines(f.api.get("/api/v1/ca/user", null).body()), "the revoked key left the trust bundle");
            Issued fresh = f.issue("fresh", "1h");
            assertEquals(replacement.get("fingerprint").asText(), fresh.caFingerprint());

            f.agentCycle();
            assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", f.revoked.toString(), a.cert().toString()))
                    .exitCode(), "ssh-keygen -Q: the certificate's CA key is in the installed KRL");
            for (Issued c : List.of(a, b)) {
                assertNotEquals(0, f.login(c).exitCode(), "serial " + c.serial() + " logged in: " + f.sshdLog());
            }
            assertTrue(f.sshdLog().contains("revoked by file " + f.revoked), f.sshdLog());
            assertEquals(0, f.login(fresh).exitCode(), f.sshdLog());
            assertTrue(f.onToken(replacement), "the replacement was created in the same token");

            Api.Resp twice = f.api.post("/api/v1/ca/keys/" + id + "/revoke", f.admin,
                    Map.of("purpose", "user", "reason", "again"));
            assertEquals(409, twice.status(), twice.toString());

            // the host CA key: /ca/host lists it as @revoked, so ssh refuses the host certificate it signed until the
            // agent renews it from the replacement (one cycle: the state says renew now)
            JsonNode hostKey = f.key("host", "active");
            Api.Resp h = f.api.post("/api/v1/ca/keys/" + hostKey.get("id").asLong() + "/revoke", f.admin,
                    Map.of("purpose", "host", "reason", "host CA key exposed"));
            assertEquals(200, h.status(), h.toString());
            String kh = f.writeKnownHosts();
            assertTrue(kh.contains("@revoked * " + hostKey.get("public_key").asText()), kh);
            assertTrue(kh.contains(h.json().get("replacement").get("public_key").asText()), kh);
            assertNotEquals(0, f.login(fresh).exitCode(), "ssh accepted a host certificate by a revoked host CA key");
            f.agentCycle();
            assertEquals(h.json().get("replacement").get("fingerprint").asText(), CertificateCodec.decodeLine(
                    Files.readString(f.hostCert).strip()).caKey().fingerprint());
            assertEquals(0, f.login(fresh).exitCode(), f.sshdLog());
        }
    }

    /** Bad input gets a 4xx naming the field (or the key), and changes nothing; only admins change CA keys. */
    @Test
    void badRequestsAreRefusedAndChangeNothing() throws Exception {
        try (RotationFleet f = RotationFleet.start(tmp, POLICY.formatted("1d"))) {
            String before = states(f);
            long userKey = f.key("user", "active").get("id").asLong();
            long hostKey = f.key("host", "active").get("id").asLong();
            record Case(String path, Object body, int status, String mentions) {
            }
            for (Case c : List.of(
                    new Case("/api/v1/ca/keys", Map.of(), 400, "purpose"),
                    new Case("/api/v1/ca/keys", Map.of("purpose", "admin"), 400, "purpose"),
                    new Case("/api/v1/ca/keys", Map.of("purpose", "user", "algorithm", "dsa"), 400, "algorithm"),
                    new Case("/api/v1/ca/keys/" + userKey + "/activate", Map.of("purpose", "user"), 409, "active"),
                    new Case("/api/v1/ca/keys/" + userKey + "/activate", Map.of("purpose", "host"), 400, "purpose"),
                    new Case("/api/v1/ca/keys/999999/activate", Map.of("purpose", "user"), 404, "999999"),
                    new Case("/api/v1/ca/keys/abc/destroy", Map.of("purpose", "user"), 400, "id"),
                    new Case("/api/v1/ca/keys/" + hostKey + "/destroy", Map.of("purpose", "host"), 409, "active"),
                    new Case("/api/v1/ca/keys/" + hostKey + "/revoke", Map.of("purpose", "host", "reason", ""), 400,
                            "reason"))) {
                Api.Resp r = f.api.post(c.path(), f.admin, c.body());
                assertEquals(c.status(), r.status(), c + ": " + r);
                assertTrue(r.contentType().startsWith("application/problem+json"), c + ": " + r.contentType());
                assertTrue(r.body().contains(c.mentions()), c + ": " + r);
            }
            String engineer = f.server.token("engineer", "eve");
            assertEquals(403, f.api.post("/api/v1/ca/keys", engineer, Map.of("purpose", "user")).status());
            String auditor = f.server.token("auditor", "aud");
            assertEquals(200, f.api.get("/api/v1/ca/keys", auditor).status());
            assertEquals(403, f.api.post("/api/v1/ca/keys/" + userKey + "/revoke", auditor,
                    Map.of("purpose", "user", "reason", "x")).status());
            assertEquals(before, states(f), "nothing changed");

            ServerCli.Run bad = ServerCli.run("ca", "rotate", "--purpose", "users", "--config",
                    f.server.configFile().toString());
            assertEquals(2, bad.code(), bad.output());
            assertEquals(1, lines(bad.err()).size(), bad.err());
            assertTrue(bad.err().contains("--purpose"), bad.err());
        }
    }

    /** Each key's id, state and trust version, and the trust bundle version. */
    static String states(RotationFleet f) {
        JsonNode all = f.caKeys();
        StringBuilder b = new StringBuilder("trust " + all.get("trust_version").asLong());
        for (JsonNode k : all.get("keys")) {
            b.append("; ").append(k.get("id").asLong()).append(' ').append(k.get("state").asText()).append(' ')
                    .append(k.get("trust_version").asLong());
        }
        return b.toString();
    }
}
