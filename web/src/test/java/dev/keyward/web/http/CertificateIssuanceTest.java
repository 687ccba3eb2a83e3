package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.Validity;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateIssuanceTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Api api;
    static String alice;
    static String host;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create(),
                "policy:\n  rules:\n"
                        + "    - name: engineers\n      cert_type: user\n      roles: [engineer, admin]\n"
                        + "      principals: [\"{{username}}\", deploy]\n      default_ttl: 1h\n      max_ttl: 8h\n"
                        + "      critical_options:\n        force-command: /usr/bin/true\n"
                        + "    - name: hosts\n      cert_type: host\n      roles: [host]\n"
                        + "      default_ttl: 7d\n      max_ttl: 30d\n");
        api = server.api();
        alice = server.token("engineer", "alice");
        host = server.token("host", "web1", "web1.example.com", "web1");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String newKey(String name, String spec) throws Exception {
        return Files.readString(TestKeys.publicKeyFile(dir, name, spec)).strip();
    }

    @Test
    void engineerGetsAUserCertificateThatParsesVerifiesAndSshKeygenAccepts() throws Exception {
        String pub = newKey("alice1", "ed25519");
        Api.Resp r = api.post("/api/v1/certs/user", alice, Map.of("public_key", pub));
        assertEquals(201, r.status(), r.toString());
        JsonNode j = r.json();
        // no principals requested: the rule's defaults, in order
        assertEquals(List.of("alice", "deploy"), List.of(j.get("principals").get(0).asText(),
                j.get("principals").get(1).asText()));
        assertEquals("alice", j.get("key_id").asText());
        long serial = j.get("serial").asLong();
        assertTrue(serial > 0);

        SignedCertificate cert = CertificateCodec.decodeLine(j.get("certificate").asText());
        assertEquals(serial, cert.certificate().serial());
        assertEquals(CertType.USER, cert.certificate().type());
        assertEquals(List.of("alice", "deploy"), cert.certificate().principals());
        assertEquals(PublicKeyParser.withDefaults().parseLine(pub), cert.certificate().key());
        assertEquals("/usr/bin/true", cert.certificate().criticalOptions().get("force-command"));
        // signed by the user CA that /ca/user publishes, not the host CA
        String userCa = api.get("/api/v1/ca/user", null).body().strip();
        assertEquals(PublicKeyParser.withDefaults().parseLine(userCa), cert.caKey());
        String hostCa = api.get("/api/v1/ca/host", null).body().strip();
        assertTrue(hostCa.startsWith("@cert-authority * "), hostCa);
        assertTrue(!hostCa.endsWith(userCa.split(" ")[1]), "user and host CA keys must differ");

        Instant after = Instant.parse(j.get("valid_after").asText());
        Instant before = Instant.parse(j.get("valid_before").asText());
        // the TTL counts from now; only the start is back-dated
        assertEquals(Duration.ofHours(1).plus(Validity.DEFAULT_BACKDATE), Duration.between(after, before));
        assertEquals(after.getEpochSecond(), cert.certificate().validAfter());

        Path certFile = dir.resolve("alice1-cert.pub");
        Files.writeString(certFile, j.get("certificate").asText() + "\n");
        Cmd.Result l = Cmd.run(List.of("ssh-keygen", "-L", "-f", certFile.toString())).orThrow();
        assertTrue(l.stdout().contains("Serial: " + serial), l.stdout());
        assertTrue(l.stdout().contains("force-command /usr/bin/true"), l.stdout());

        JsonNode stored = api.get("/api/v1/certs/" + serial, server.adminToken()).json();
        assertEquals(j.get("certificate").asText(), stored.get("certificate").asText());
        assertEquals("alice", stored.get("requester").asText());
        assertEquals("active", stored.get("status").asText());
    }

    @Test
    void everyAcceptedKeyTypeIsCertified() throws Exception {
        for (String spec : TestKeys.ALL_TYPES) {
            Api.Resp r = api.post("/api/v1/certs/user", alice, Map.of("public_key", newKey("t-" + spec, spec)));
            assertEquals(201, r.status(), spec + ": " + r);
            CertificateCodec.decodeLine(r.json().get("certificate").asText());
        }
    }

    @Test
    void requestedPrincipalsAndTtlWithinPolicyAreHonoured() throws Exception {
        Api.Resp r = api.post("/api/v1/certs/user", alice,
                Map.of("public_key", newKey("alice2", "ecdsa-256"), "principals", List.of("deploy"), "ttl", "2h"));
        assertEquals(201, r.status(), r.toString());
        assertEquals("deploy", r.json().get("principals").get(0).asText());
        Instant after = Instant.parse(r.json().get("valid_after").asText());
        Instant before = Instant.parse(r.json().get("valid_before").asText());
        assertEquals(Duration.ofHours(2).plus(Validity.DEFAULT_BACKDATE), Duration.between(after, before));
    }

    /** valid_before = now + ttl, valid_after = now - backdate: a 1 m certificate is valid for a minute from now. */
    @Test
    void ttlCountsFromNowAndOnlyTheStartIsBackdated() throws Exception {
        for (String ttl : List.of("1m", "2m", "8h")) {
            String pub = newKey("ttl-" + ttl, "ed25519");
            long t0 = Instant.now().getEpochSecond();
            Api.Resp r = api.post("/api/v1/certs/user", alice, Map.of("public_key", pub, "ttl", ttl));
            long t1 = Instant.now().getEpochSecond();
            assertEquals(201, r.status(), r.toString());
            long seconds = dev.keyward.ca.Durations.parse(ttl).orElseThrow().getSeconds();
            SignedCertificate cert = CertificateCodec.decodeLine(r.json().get("certificate").asText());
            long after = cert.certificate().validAfter();
            long before = cert.certificate().validBefore();
            assertTrue(before >= t0 + seconds && before <= t1 + seconds, ttl + ": valid_before - now is the TTL");
            assertEquals(seconds + Validity.DEFAULT_BACKDATE.getSeconds(), before - after, ttl + ": ttl + backdate");
            assertTrue(after < t0 && before > t1, ttl + ": valid now");

            // ssh-keygen reads the same window (it prints local time, so compare the difference)
            Path certFile = dir.resolve("ttl-" + ttl + "-cert.pub");
            Files.writeString(certFile, r.json().get("certificate").asText() + "\n");
            String valid = Cmd.run(List.of("ssh-keygen", "-L", "-f", certFile.toString()), dir,
                    Map.of("TZ", "UTC"), null).orThrow().stdout().lines().filter(l -> l.strip().startsWith("Valid:"))
                    .findFirst().orElseThrow().strip();
            java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME;
            String[] w = valid.split(" ");
            assertEquals(before - after, Duration.between(java.time.LocalDateTime.parse(w[2], f),
                    java.time.LocalDateTime.parse(w[4], f)).getSeconds(), valid);
            assertEquals(Instant.ofEpochSecond(before).toString(), r.json().get("valid_before").asText());
        }
    }

    /** extensions: absent gives the rule's defaults, a list gives exactly those within the rule, [] none. */
    @Test
    void requestedExtensionsWithinTheRuleAreIssuedAndOthersAre403NamingTheRule() throws Exception {
        Api.Resp absent = api.post("/api/v1/certs/user", alice, Map.of("public_key", newKey("ext0", "ed25519")));
        assertEquals(201, absent.status(), absent.toString());
        assertEquals(Set.of("permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding",
                "permit-pty", "permit-user-rc"), extensions(absent));

        Api.Resp pty = api.post("/api/v1/certs/user", alice, Map.of("public_key", newKey("ext1", "ed25519"),
                "extensions", List.of("permit-pty")));
        assertEquals(201, pty.status(), pty.toString());
        assertEquals(Set.of("permit-pty"), extensions(pty));
        Path certFile = dir.resolve("ext1-cert.pub");
        Files.writeString(certFile, pty.json().get("certificate").asText() + "\n");
        String listing = Cmd.run(List.of("ssh-keygen", "-L", "-f", certFile.toString())).orThrow().stdout();
        assertTrue(listing.contains("permit-pty") && !listing.contains("permit-port-forwarding"), listing);

        Api.Resp none = api.post("/api/v1/certs/user", alice, Map.of("public_key", newKey("ext2", "ed25519"),
                "extensions", List.of()));
        assertEquals(201, none.status(), none.toString());
        assertEquals(Set.of(), extensions(none));

        Api.Resp outside = api.post("/api/v1/certs/user", alice, Map.of("public_key", newKey("ext3", "ed25519"),
                "extensions", List.of("permit-pty", "frobnicate@example.com")));
        assertEquals(403, outside.status(), outside.toString());
        assertEquals("rules.engineers.extensions", outside.json().get("rule").asText());
        assertTrue(outside.json().get("detail").asText().contains("frobnicate@example.com"), outside.toString());

        Api.Resp withNull = api.post("/api/v1/certs/user", alice, "{\"public_key\": \""
                + newKey("ext4", "ed25519") + "\", \"extensions\": [null]}");
        assertEquals(400, withNull.status(), withNull.toString());
        assertTrue(api.get("/openapi.json", null).json().at("/paths/~1api~1v1~1certs~1user/post/requestBody/content"
                + "/application~1json/schema/properties/extensions").has("items"), "documented in the OpenAPI");
    }

    static Set<String> extensions(Api.Resp r) {
        return CertificateCodec.decodeLine(r.json().get("certificate").asText()).certificate().extensions()
                .keySet();
    }

    @Test
    void ttlBeyondTheMaximumIs403NamingTheRule() throws Exception {
        Api.Resp r = api.post("/api/v1/certs/user", alice, Map.of("public_key", newKey("alice3", "ed25519"), "ttl", "9h"));
        assertEquals(403, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertEquals("rules.engineers.max_ttl", r.json().get("rule").asText());
        assertTrue(r.json().get("detail").asText().contains("max_ttl"), r.toString());
    }

    @Test
    void disallowedPrincipalIs403() throws Exception {
        Api.Resp r = api.post("/api/v1/certs/user", alice,
                Map.of("public_key", newKey("alice4", "ed25519"), "principals", List.of("root")));
        assertEquals(403, r.status(), r.toString());
        assertTrue(r.json().get("rule").asText().startsWith("rules.engineers"), r.toString());
    }

    @Test
    void weakAndInvalidKeysAre400() throws Exception {
        Path weak = Cmd.sshKeygen(dir, "weak", "rsa", 1024);
        Api.Resp r = api.post("/api/v1/certs/user", alice, Map.of("public_key", Files.readString(Path.of(weak + ".pub"))));
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.json().get("detail").asText().contains("1024"), r.toString());
        Api.Resp dsa = api.post("/api/v1/certs/user", alice, Map.of("public_key", "ssh-dss AAAAB3NzaC1kc3MAAACBAP"));
        assertEquals(400, dsa.status(), dsa.toString());
        Api.Resp junk = api.post("/api/v1/certs/user", alice, Map.of("public_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA=="));
        assertEquals(400, junk.status(), junk.toString());
    }

    @Test
    void hostGetsAHostCertificateForItsRegisteredNamesOnly() throws Exception {
        Api.Resp r = api.post("/api/v1/certs/host", host, Map.of("public_key", newKey("hostkey", "ed25519")));
        assertEquals(201, r.status(), r.toString());
        SignedCertificate cert = CertificateCodec.decodeLine(r.json().get("certificate").asText());
        assertEquals(CertType.HOST, cert.certificate().type());
        assertEquals(Set.of("web1.example.com", "web1"), new HashSet<>(cert.certificate().principals()));
        String hostCa = api.get("/api/v1/ca/host", null).body().strip().substring("@cert-authority * ".length());
        assertEquals(PublicKeyParser.withDefaults().parseLine(hostCa), cert.caKey());

        Api.Resp other = api.post("/api/v1/certs/host", host,
                Map.of("public_key", newKey("hostkey2", "ed25519"), "principals", List.of("db1.example.com")));
        assertEquals(403, other.status(), other.toString());
        assertEquals("host.registered_names", other.json().get("rule").asText());
    }

    @Test
    void serialsAreUniqueAndRising() throws Exception {
        long last = 0;
        for (int i = 0; i < 5; i++) {
            Api.Resp r = api.post("/api/v1/certs/user", alice, Map.of("public_key", newKey("s" + i, "ed25519")));
            long serial = r.json().get("serial").asLong();
            assertTrue(serial > last, "serial " + serial + " after " + last);
            last = serial;
        }
    }

    @Test
    void listingFiltersByRequesterPrincipalAndStatusAndPagesWithACursor() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(201, api.post("/api/v1/certs/user", alice,
                    Map.of("public_key", newKey("l" + i, "ed25519"))).status());
        }
        String admin = server.adminToken();
        JsonNode page1 = api.get("/api/v1/certs?requester=alice&status=active&limit=2", admin).json();
        assertEquals(2, page1.get("items").size());
        String cursor = page1.get("next_cursor").asText();
        assertNotNull(cursor);
        long firstSerial = page1.get("items").get(0).get("serial").asLong();
        long secondSerial = page1.get("items").get(1).get("serial").asLong();
        assertTrue(firstSerial > secondSerial, "newest first");
        JsonNode page2 = api.get("/api/v1/certs?requester=alice&limit=2&cursor=" + cursor, admin).json();
        assertTrue(page2.get("items").get(0).get("serial").asLong() < secondSerial);
        JsonNode byPrincipal = api.get("/api/v1/certs?principal=web1.example.com", admin).json();
        for (JsonNode c : byPrincipal.get("items")) {
            assertEquals("host", c.get("type").asText());
        }
        assertEquals(0, api.get("/api/v1/certs?requester=nobody", admin).json().get("items").size());
        assertNull(api.get("/api/v1/certs?requester=nobody", admin).json().get("next_cursor"));
        assertEquals(400, api.get("/api/v1/certs?status=bogus", admin).status());
    }

    @Test
    void issuanceIsCountedInMetrics() throws Exception {
        assertEquals(201, api.post("/api/v1/certs/user", alice, Map.of("public_key", newKey("m1", "ed25519"))).status());
        String metrics = api.get("/metrics", null).body();
        assertTrue(metrics.contains("keyward_certs_issued_total{type=\"user\"}"), metrics);
        assertTrue(metrics.contains("keyward_cert_issue_seconds_count{type=\"user\"}"), metrics);
        assertTrue(metrics.contains("keyward_signer_seconds_count{type=\"user\"}"), metrics);
    }
}
